// The `rolecall/review` entry point: what reads a compiled policy for people — policy test
// suites, the permission diff (markdown, JSON, HTML) and the permissions matrix.
export * from './test-suite/index.js';
export * from './diff/index.js';
export * from './matrix/index.js';
