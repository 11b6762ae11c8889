// The string order of every deterministic output lives in the core (core/compare.ts).
export { compareCodeUnits } from '../core/compare.js';
