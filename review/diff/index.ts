// Permission diffs between two resolved policies (role × scope × permission), for PR review: one
// model (`PolicyDiff`), rendered as markdown here and as an HTML page by review/matrix/diff.ts.
export { diffPolicies } from './diff.js';
export { compareCaseResults } from './cases.js';
export {
  renderDiffMarkdown,
  triggeredFailOn,
  countChanges,
  changeSummary,
  DIFF_MARKER,
  MAX_MARKDOWN_CHARS,
} from './render.js';
export type * from './types.js';
