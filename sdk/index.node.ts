// Node entry point of the SDK: everything in the browser-safe core plus the Node-only parts
// (the OPA server evaluator over undici and loading bundles from disk).
export * from './index.js';
export { OpaEvaluator, type OpaEvaluatorOptions } from './opa-evaluator.node.js';
export { loadJsEvaluator, loadWasmEvaluator } from './load-evaluator.node.js';
