// Asks the live policy and writes one decision-log line per answer. Every decision the server
// acts on passes through here, so the audit trail and the enforcement cannot drift apart.
import type { Logger } from 'pino';
import type { Decision, DecisionInput, QueryFilterInput, QueryFilterResult } from '../sdk/types.js';
import { ApiError } from './errors.js';
import { logDecision } from './logs.js';
import type { LivePolicy } from './policy/live-policy.js';

export class Decider {
  constructor(
    private readonly live: LivePolicy,
    private readonly logger: Logger,
  ) {}

  async decide(input: DecisionInput, requestId?: string): Promise<Decision> {
    const result = await this.live.evaluator.evaluate('rolecall/decision', input);
    this.log('rolecall/decision', input, result, requestId);
    return result;
  }

  /** Decisions for many inputs in one engine evaluation (rolecall/batch), in order. */
  async decideMany(inputs: readonly DecisionInput[], requestId?: string): Promise<Decision[]> {
    if (inputs.length === 0) return [];
    const result = await this.live.evaluator.evaluateBatch({
      decisions: inputs,
      query_filters: [],
    });
    inputs.forEach((input, index) => {
      this.log('rolecall/decision', input, result.decisions[index], requestId);
    });
    return result.decisions;
  }

  async queryFilter(input: QueryFilterInput, requestId?: string): Promise<QueryFilterResult> {
    const result = await this.live.evaluator.evaluate('rolecall/query_filter', input);
    this.log('rolecall/query_filter', input, result, requestId);
    return result;
  }

  async capabilities(input: DecisionInput, requestId?: string): Promise<string[]> {
    const result = await this.live.evaluator.evaluate('rolecall/capabilities', input);
    this.log('rolecall/capabilities', input, result, requestId);
    return result;
  }

  private log(path: string, input: unknown, result: unknown, requestId: string | undefined): void {
    logDecision(this.logger, {
      path,
      input,
      result,
      revision: this.live.revision,
      ...(requestId === undefined ? {} : { requestId }),
    });
  }
}

/** Status of a refused decision: malformed input is the caller's mistake, the rest is 403. */
export function refusalOf(decision: { reason: string; message: string }): ApiError {
  const status =
    decision.reason === 'INVALID_INPUT' || decision.reason === 'INVALID_FILTER' ? 400 : 403;
  return new ApiError(status, decision.reason, decision.message);
}
