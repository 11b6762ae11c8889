// The grants the server decides with right now: the stored GrantsSpec, its resolved policy, the
// evaluator holding its data.json and the packed bundle. A grants change swaps all four at once.
import { createHash } from 'node:crypto';
import type { Diagnostic, GrantsSpec, ResolvedPolicy } from '../../compiler/types.js';
import type { Queryable } from '../db/database.js';
import { readStoredRevision, readStoredSpec } from '../store/state.js';
import { ApiError } from '../errors.js';
import type { PolicyToolkit, SwappableEvaluator } from './toolkit.js';

export interface PolicySnapshot {
  spec: GrantsSpec;
  policy: ResolvedPolicy;
  /** The data.json document the evaluator, the bundle and GET /data.json all hold. */
  dataDocument: Record<string, unknown>;
  bundle: Uint8Array;
  /** Strong ETag of the bundle: the data revision (quoted, as HTTP wants). */
  etag: string;
}

export const EMPTY_SPEC: GrantsSpec = { version: 1 };

/** Turns validation errors of an API change into a 400 naming the first problem. */
export function diagnosticsError(diagnostics: Diagnostic[]): ApiError | undefined {
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  const first = errors[0];
  if (first === undefined) return undefined;
  const message = errors.map((diagnostic) => diagnostic.message).join('; ');
  return new ApiError(400, first.code, message);
}

export class LivePolicy {
  private current: PolicySnapshot;

  private constructor(
    private readonly toolkit: PolicyToolkit,
    readonly evaluator: SwappableEvaluator,
    snapshot: PolicySnapshot,
  ) {
    this.current = snapshot;
  }

  static async create(toolkit: PolicyToolkit, spec: GrantsSpec): Promise<LivePolicy> {
    const prepared = await prepare(toolkit, spec);
    const evaluator = await toolkit.createEvaluator(prepared.dataDocument);
    return new LivePolicy(toolkit, evaluator, prepared);
  }

  get snapshot(): PolicySnapshot {
    return this.current;
  }

  get revision(): string {
    return this.current.policy.revision;
  }

  validate(spec: GrantsSpec): Diagnostic[] {
    return this.toolkit.validateSpec(spec);
  }

  /** Validates and resolves a candidate spec without applying it (400 on errors). */
  async prepare(spec: GrantsSpec): Promise<PolicySnapshot> {
    return prepare(this.toolkit, spec);
  }

  /** Makes a prepared snapshot the live one: the next decision uses it. */
  async apply(snapshot: PolicySnapshot): Promise<void> {
    await this.evaluator.setData(snapshot.dataDocument);
    this.current = snapshot;
  }

  /** Makes the stored grants (as `db` reads them) the live ones. */
  async applyStored(db: Queryable): Promise<void> {
    const record = await readStoredSpec(db);
    if (record !== undefined) await this.apply(await this.prepare(record.spec));
  }

  /** Changes of the stored grants noted (by a change feed) and followed so far. */
  private staleCount = 1;
  private followedCount = 0;
  private following: Promise<void> | undefined;

  /** The stored grants may have changed (another server, or a change feed reset). */
  markStale(): void {
    this.staleCount += 1;
  }

  /**
   * Makes the stored grants live when they may have changed; free otherwise. Concurrent requests
   * share one reload.
   */
  async follow(db: Queryable): Promise<void> {
    while (this.followedCount !== this.staleCount) {
      this.following ??= (async () => {
        const target = this.staleCount;
        try {
          const stored = await readStoredRevision(db);
          if (stored !== undefined && stored !== this.revision) await this.applyStored(db);
          this.followedCount = target;
        } finally {
          this.following = undefined;
        }
      })();
      await this.following;
    }
  }

  async close(): Promise<void> {
    await this.evaluator.close();
  }
}

async function prepare(toolkit: PolicyToolkit, spec: GrantsSpec): Promise<PolicySnapshot> {
  const problem = diagnosticsError(toolkit.validateSpec(spec));
  if (problem !== undefined) throw problem;
  const policy = toolkit.resolve(spec);
  const bundle = await toolkit.packBundle(policy);
  return {
    spec,
    policy,
    dataDocument: toolkit.dataDocument(policy),
    bundle,
    etag: `"${policy.revision}"`,
  };
}

/** A short fingerprint used in drift logs. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);
}
