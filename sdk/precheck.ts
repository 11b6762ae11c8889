// The pre-check every evaluator runs lives in the core (core/precheck.ts), beside the engine.
export * from '../core/precheck.js';
