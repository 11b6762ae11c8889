// Splits a batch into the items the engine may see and the ones the pre-check answers itself,
// then puts the answers back in the caller's order, so every evaluator batches the same way.
import { InvalidBatchError } from './errors.js';
import { findInputProblem, invalidDecision, invalidQueryFilter } from './precheck.js';
import type { BatchInput, BatchResult } from './types.js';

export interface SplitBatch {
  /** The batch to send to the engine: only inputs that passed the pre-check. */
  engineBatch: { decisions: unknown[]; query_filters: unknown[] };
  /** For each original decision: its index in engineBatch.decisions, or -1 when invalid. */
  decisionSlots: number[];
  querySlots: number[];
}

/** One slot per index, a hole included (map would skip it): a hole is no input, INVALID_INPUT. */
function splitItems(items: readonly unknown[], kept: unknown[]): number[] {
  return Array.from(items, (item) => {
    if (findInputProblem(item) !== undefined) return -1;
    kept.push(item);
    return kept.length - 1;
  });
}

/** Validates the batch envelope and separates pre-check failures from engine work. */
export function splitBatch(batch: BatchInput): SplitBatch {
  const envelope: unknown = batch;
  if (
    typeof envelope !== 'object' ||
    envelope === null ||
    !Array.isArray((envelope as Record<string, unknown>)['decisions']) ||
    !Array.isArray((envelope as Record<string, unknown>)['query_filters'])
  ) {
    throw new InvalidBatchError('a batch is {decisions: [...], query_filters: [...]}');
  }
  const engineBatch: SplitBatch['engineBatch'] = { decisions: [], query_filters: [] };
  return {
    engineBatch,
    decisionSlots: splitItems(batch.decisions, engineBatch.decisions),
    querySlots: splitItems(batch.query_filters, engineBatch.query_filters),
  };
}

/** True when the engine has nothing to do (every item failed the pre-check, or none given). */
export function isEngineBatchEmpty(split: SplitBatch): boolean {
  return split.engineBatch.decisions.length === 0 && split.engineBatch.query_filters.length === 0;
}

/** Merges the engine's answers with the pre-check's, in the original order. */
export function mergeBatch(split: SplitBatch, engine: BatchResult, revision: string): BatchResult {
  return {
    decisions: split.decisionSlots.map(
      (slot) => engine.decisions[slot] ?? invalidDecision(revision),
    ),
    query_filters: split.querySlots.map(
      (slot) => engine.query_filters[slot] ?? invalidQueryFilter(),
    ),
  };
}
