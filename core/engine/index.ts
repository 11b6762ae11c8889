// The JS engine: every entrypoint of the Rego engine (DESIGN §4, §5) evaluated in JavaScript
// over the same data document, answering the same canonical JSON for every input.
import type { BatchResult, Decision, Entrypoint, EntrypointResults } from '../contract.js';
import { capabilities } from './capabilities.js';
import { compilePolicy, type CompiledPolicy } from './compiled.js';
import { decide } from './decision.js';
import { field, isObject } from './json.js';
import { queryFilter } from './query-filter.js';

export type { CompiledPolicy } from './compiled.js';

function batchItems(input: unknown, key: string): unknown[] {
  const items = isObject(input) ? field(input, key) : null;
  return Array.isArray(items) ? (items as unknown[]) : [];
}

export class JsEngine {
  private constructor(private readonly policy: CompiledPolicy) {}

  /** Compiles `rolecall_data` (the inside of data.json) once; decisions then only look up. */
  static fromPolicyData(policyData: Record<string, unknown>): JsEngine {
    return new JsEngine(compilePolicy(policyData));
  }

  get revision(): string {
    return this.policy.revision;
  }

  decision(input: unknown): Decision {
    return decide(this.policy, input);
  }

  allow(input: unknown): boolean {
    return decide(this.policy, input).allow;
  }

  capabilities(input: unknown): string[] {
    return capabilities(this.policy, input);
  }

  queryFilter(input: unknown) {
    return queryFilter(this.policy, input);
  }

  /** `rolecall/batch`: items that are missing or not lists count as none, as in Rego. */
  batch(input: unknown): BatchResult {
    return {
      decisions: batchItems(input, 'decisions').map((item) => decide(this.policy, item)),
      query_filters: batchItems(input, 'query_filters').map((item) =>
        queryFilter(this.policy, item),
      ),
    };
  }

  /** Any entrypoint by name. */
  evaluate<E extends Entrypoint>(entrypoint: E, input: unknown): EntrypointResults[E] {
    return this.answer(entrypoint, input) as EntrypointResults[E];
  }

  private answer(entrypoint: Entrypoint, input: unknown): EntrypointResults[Entrypoint] {
    switch (entrypoint) {
      case 'rolecall/allow':
        return this.allow(input);
      case 'rolecall/decision':
        return this.decision(input);
      case 'rolecall/capabilities':
        return this.capabilities(input);
      case 'rolecall/query_filter':
        return this.queryFilter(input);
      case 'rolecall/batch':
        return this.batch(input);
    }
  }
}
