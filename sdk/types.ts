// The shapes that cross the evaluator boundary live in the core (core/contract.ts); the SDK
// re-exports them so application code imports everything from `rolecall`.
export * from '../core/contract.js';
