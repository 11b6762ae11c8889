// The policy as one request asks it: the actor's subject and side go into every input here (for a
// call, the subject as a member of it may be given instead), and every answer passes through the
// decider, which logs it under the request's id. Services say what they ask, never who asks.
import type {
  Decision,
  DecisionInput,
  QueryAction,
  QueryFilterResult,
  Resource,
  Subject,
} from '../sdk/types.js';
import type { Actor } from './actor.js';
import type { Decider } from './decider.js';

export interface AskOptions {
  /** The fields the request changes (rule 4 and FORBIDDEN_FIELD). */
  changes?: string[];
  /** The actor as a member of the call (call role and grants added); the actor's own otherwise. */
  subject?: Subject;
}

export class RequestPolicy {
  private readonly context: { side: Actor['side'] };

  constructor(
    private readonly decider: Decider,
    private readonly actor: Actor,
  ) {
    this.context = { side: actor.side };
  }

  /** The decision input of `action` on `resource` asked by this request's actor. */
  input(action: string, resource: Resource, options: AskOptions = {}): DecisionInput {
    return {
      subject: options.subject ?? this.actor.subject,
      action,
      resource,
      ...(options.changes === undefined ? {} : { changes: options.changes }),
      context: this.context,
    };
  }

  decide(input: DecisionInput): Promise<Decision> {
    return this.decider.decide(input, this.actor.requestId);
  }

  /** `decide` of the input `input(action, resource, options)` builds. */
  ask(action: string, resource: Resource, options?: AskOptions): Promise<Decision> {
    return this.decide(this.input(action, resource, options));
  }

  /** Decisions for many inputs in one engine evaluation, in order. */
  decideMany(inputs: readonly DecisionInput[]): Promise<Decision[]> {
    return this.decider.decideMany(inputs, this.actor.requestId);
  }

  capabilities(input: DecisionInput): Promise<string[]> {
    return this.decider.capabilities(input, this.actor.requestId);
  }

  /** The actor's query filter for a queryUsers or queryCalls filter. */
  queryFilter(
    action: QueryAction,
    filterConditions: Record<string, unknown>,
  ): Promise<QueryFilterResult> {
    return this.decider.queryFilter(
      {
        subject: this.actor.subject,
        action,
        query: { filter_conditions: filterConditions },
        context: this.context,
      },
      this.actor.requestId,
    );
  }
}
