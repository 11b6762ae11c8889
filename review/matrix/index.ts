// The permissions matrix: a model of roles × permissions per scope built from a resolved policy,
// rendered as one static HTML page; the diff view renders a `PolicyDiff` over two models.
export {
  buildMatrix,
  parseSourceRef,
  type BuildMatrixOptions,
  type CellState,
  type MatrixCell,
  type MatrixModel,
  type MatrixPermission,
  type MatrixRole,
  type MatrixScope,
  type MatrixSource,
  type ScopeKind,
} from './model.js';
export { renderMatrixHtml, type RenderMatrixOptions } from './render.js';
export { renderMatrixDiffHtml, type MatrixDiffLayout } from './diff.js';
export { buildMatrixFromText } from './from-text.js';
