// PolicyClient: "may this user do this?" for one authenticated subject, over any Evaluator.
// It fails closed: an evaluator failure is a deny carrying the error's code, never an allow.
import { EvaluatorError, EvaluatorFailedError, ServerSideRefusedError } from './errors.js';
import { isSyncEvaluator, type Evaluator, type SyncEvaluator } from './evaluator.js';
import type {
  ChangeOf,
  Decision,
  DecisionInput,
  FailClosedReason,
  FilterConditions,
  GrantModifier,
  PolicyTypes,
  QueryFilterInput,
  QueryFilterResult,
  Resource,
  Side,
  Subject,
  UntypedPolicy,
} from './types.js';

/** The authenticated user: its call role and call grants come per call, in the options. */
export type ClientSubject<T extends PolicyTypes = UntypedPolicy> = Omit<
  Subject<T>,
  'call_role' | 'call_grants'
>;

export interface DecideOptions<T extends PolicyTypes = UntypedPolicy> {
  /** Field names an update touches (`UpdateCall`, `UpdateUser`, …). */
  changes?: readonly ChangeOf<T>[] | undefined;
  /** Default `client`. `server` is refused in the browser: there the server decides for real. */
  side?: Side | undefined;
  /** The subject's call role, when it is a member of the call being decided. */
  callRole?: T['CallRole'] | undefined;
  /** The subject's per-member modifiers in that call. */
  callGrants?: readonly GrantModifier<T['PermissionId']>[] | undefined;
}

/** A deny the client produced because the evaluator failed. */
export interface FailClosedDecision {
  allow: false;
  reason: FailClosedReason;
  message: string;
  revision: '';
  grants: [];
  error: EvaluatorError;
}

export interface FailClosedQueryFilter {
  allow: false;
  reason: FailClosedReason;
  filter: null;
  injected: false;
  message: string;
  error: EvaluatorError;
}

export type QueryKind = 'users' | 'calls';

export interface PolicyClientOptions {
  /**
   * Whether `side: "server"` may be asked for. Default: true in a server runtime (Node), false
   * elsewhere — pages and web workers can only hint at the UI.
   */
  allowServerSide?: boolean | undefined;
  /** Called with every evaluator error the client turned into a deny (for logs and metrics). */
  onError?: ((error: EvaluatorError) => void) | undefined;
}

/**
 * Server-side decisions belong to server runtimes (Node, Bun, Deno's Node layer). Pages and web
 * workers only get UI hints, so anything that is not a server runtime is treated as a browser.
 */
function runsOnServer(): boolean {
  const runtime = globalThis as { process?: { versions?: { node?: unknown } } };
  return typeof runtime.process?.versions?.node === 'string';
}

export class PolicyClient<T extends PolicyTypes = UntypedPolicy> {
  private readonly allowServerSide: boolean;
  private readonly onError: ((error: EvaluatorError) => void) | undefined;

  constructor(
    private readonly evaluator: Evaluator,
    readonly subject: ClientSubject<T>,
    options: PolicyClientOptions = {},
  ) {
    this.allowServerSide = options.allowServerSide ?? runsOnServer();
    this.onError = options.onError;
  }

  /** True only when the policy allows; false on a deny and on any evaluator failure. */
  async can(
    action: T['Action'],
    resource: Resource<T>,
    options: DecideOptions<T> = {},
  ): Promise<boolean> {
    const input = this.decisionInput(action, resource, options);
    try {
      return await this.evaluator.evaluate('rolecall/allow', input);
    } catch (error) {
      this.failClosed(error);
      return false;
    }
  }

  /** The full decision with its reason and matched grants; a failure is a fail-closed deny. */
  async decide(
    action: T['Action'],
    resource: Resource<T>,
    options: DecideOptions<T> = {},
  ): Promise<Decision | FailClosedDecision> {
    const input = this.decisionInput(action, resource, options);
    try {
      return await this.evaluator.evaluate('rolecall/decision', input);
    } catch (error) {
      return this.failedDecision(error);
    }
  }

  /** Permission ids the subject may use on the resource (Stream's own_capabilities); [] on failure. */
  async capabilities(
    resource: Resource<T>,
    options: Omit<DecideOptions<T>, 'changes'> = {},
  ): Promise<T['PermissionId'][]> {
    const input = this.decisionInput('ReadCall', resource, options);
    try {
      return await this.evaluator.evaluate('rolecall/capabilities', input);
    } catch (error) {
      this.failClosed(error);
      return [];
    }
  }

  /**
   * `can` without a promise, for UI code: needs a synchronous evaluator (JsEvaluator); with any
   * other, or on any failure, it is false like every UI hint.
   */
  canSync(action: T['Action'], resource: Resource<T>, options: DecideOptions<T> = {}): boolean {
    const input = this.decisionInput(action, resource, options);
    try {
      return this.syncEvaluator().evaluateSync('rolecall/allow', input);
    } catch (error) {
      this.failClosed(error);
      return false;
    }
  }

  /** `decide` without a promise (JsEvaluator); a failure is a fail-closed deny. */
  decideSync(
    action: T['Action'],
    resource: Resource<T>,
    options: DecideOptions<T> = {},
  ): Decision | FailClosedDecision {
    const input = this.decisionInput(action, resource, options);
    try {
      return this.syncEvaluator().evaluateSync('rolecall/decision', input);
    } catch (error) {
      return this.failedDecision(error);
    }
  }

  /** `capabilities` without a promise (JsEvaluator); [] on failure. */
  capabilitiesSync(
    resource: Resource<T>,
    options: Omit<DecideOptions<T>, 'changes'> = {},
  ): T['PermissionId'][] {
    const input = this.decisionInput('ReadCall', resource, options);
    try {
      return this.syncEvaluator().evaluateSync('rolecall/capabilities', input);
    } catch (error) {
      this.failClosed(error);
      return [];
    }
  }

  /** Rewrites a users/calls filter so it stays inside the subject's teams (DESIGN §5). */
  async queryFilter(
    kind: QueryKind,
    filter: FilterConditions,
    options: Pick<DecideOptions<T>, 'side'> = {},
  ): Promise<QueryFilterResult | FailClosedQueryFilter> {
    const side = this.side((options as typeof options | null)?.side);
    const input: QueryFilterInput<T> = {
      subject: this.subject,
      action: kind === 'users' ? 'QueryUsers' : 'QueryCalls',
      query: { filter_conditions: filter },
      context: { side },
    };
    try {
      return await this.evaluator.evaluate('rolecall/query_filter', input);
    } catch (error) {
      const failure = this.failClosed(error);
      return {
        allow: false,
        reason: failure.code,
        filter: null,
        injected: false,
        message: failure.message,
        error: failure,
      };
    }
  }

  private syncEvaluator(): SyncEvaluator {
    if (!isSyncEvaluator(this.evaluator)) {
      throw new EvaluatorFailedError(
        'this evaluator answers asynchronously only; the synchronous API needs a JsEvaluator',
      );
    }
    return this.evaluator;
  }

  private failedDecision(error: unknown): FailClosedDecision {
    const failure = this.failClosed(error);
    return {
      allow: false,
      reason: failure.code,
      message: failure.message,
      revision: '',
      grants: [],
      error: failure,
    };
  }

  private side(side: Side | undefined): Side {
    if (side === 'server' && !this.allowServerSide) {
      throw new ServerSideRefusedError(
        'a browser PolicyClient cannot decide server side: the server decides for real',
      );
    }
    return side ?? 'client';
  }

  /**
   * The decision input. Options given as null count as none. An input that cannot even be read
   * (a subject or options getter that throws) is `undefined`, which every evaluator answers
   * INVALID_INPUT like any malformed input; only the documented ServerSideRefusedError throws.
   */
  private decisionInput(
    action: T['Action'],
    resource: Resource<T>,
    given: DecideOptions<T> | null,
  ): DecisionInput<T> | undefined {
    let input: DecisionInput<T>;
    let side: Side | undefined;
    try {
      const options = given ?? {};
      const subject: Subject<T> = { ...this.subject };
      if (options.callRole !== undefined) subject.call_role = options.callRole;
      if (options.callGrants !== undefined) subject.call_grants = options.callGrants;
      input = { subject, action, resource, context: { side: 'client' } };
      if (options.changes !== undefined) input.changes = options.changes;
      side = options.side;
    } catch {
      return undefined;
    }
    input.context = { side: this.side(side) };
    return input;
  }

  /** Every failure becomes a deny; one that is not an EvaluatorError (a bug) is wrapped. */
  private failClosed(error: unknown): EvaluatorError {
    const failure =
      error instanceof EvaluatorError
        ? error
        : new EvaluatorFailedError(error instanceof Error ? error.message : String(error), {
            cause: error,
          });
    this.onError?.(failure);
    return failure;
  }
}
