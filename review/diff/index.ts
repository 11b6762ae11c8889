// Permission diffs between two resolved policies (role × scope × permission), for PR review.
export { diffPolicies } from './diff.js';
export { compareCaseResults } from './cases.js';
export {
  renderDiffMarkdown,
  triggeredFailOn,
  countChanges,
  DIFF_MARKER,
  MAX_MARKDOWN_CHARS,
} from './render.js';
export type * from './types.js';
