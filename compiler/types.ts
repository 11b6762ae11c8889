// The types that carry the compiler pipeline from one stage to the next:
// GrantsDocument (load) → Diagnostic[] (validate) → ResolvedPolicy (resolve) → EmittedFile[] (emit).

/** A 1-based range in a source file; columns count UTF-16 code units like editors do. */
export interface SourceSpan {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type Severity = 'error' | 'warning';

/** One problem found in a grants file; `code` is a stable SCREAMING_SNAKE name (DESIGN §6). */
export interface Diagnostic extends SourceSpan {
  code: string;
  severity: Severity;
  message: string;
  help?: string;
}

/** Result of a stage that can fail on bad input; stages throw only on bugs. */
export type Result<T> =
  { ok: true; value: T; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** role → list of permission ids (patches) or modifiers (`id` / `!id`, in overrides). */
export type GrantsMap = Record<string, string[]>;

/**
 * The grants file as plain data, exactly the YAML's shape (DESIGN §2). The resolver takes this
 * and never YAML, so the reference server can resolve grants that came through its API.
 */
export interface GrantsSpec {
  version: 1;
  app?: {
    multi_tenant_enabled?: boolean;
    /** `null` resets `.app` to the builtin defaults. */
    grants?: GrantsMap | null;
  };
  roles?: Record<string, { description?: string; level?: 'user' | 'call' }>;
  permissions?: {
    id: string;
    action: string;
    name?: string;
    description?: string;
    owner?: boolean;
    same_team?: boolean;
  }[];
  call_types?: Record<string, { description?: string; grants?: GrantsMap | null }>;
  /** "type:id" → overrides; grants here are modifiers. */
  calls?: Record<string, { config_overrides?: { grants?: GrantsMap | null } }>;
}

/** A path into the spec, e.g. ['call_types', 'default', 'grants', 'user', 2]. */
export type SpecPath = readonly (string | number)[];

/** Finds the source span of a node of the spec; undefined when there is no source (API data). */
export type SpanLocator = (path: SpecPath) => SourceSpan | undefined;

/** A loaded grants file: the spec plus where each of its nodes came from. */
export interface GrantsDocument {
  file: string;
  /** The raw text, kept for code frames. */
  source: string;
  /** The parsed value; only trustworthy as a GrantsSpec after validation succeeded. */
  spec: unknown;
  /** Span of a node (the value's span; for a map key use `locateKey`). */
  locate: SpanLocator;
  /** Span of a map key, e.g. the `join-cal` in a list or the `guestt:` key. */
  locateKey: SpanLocator;
}

/** "file:line:col" of a grant in the grants file. */
export type SourceRef = string;

/**
 * The resolved policy: everything the Rego engine reads, stored at `data.rolecall_data` in the
 * bundle's data.json. Arrays are sorted and keys are emitted sorted, so output is deterministic.
 */
export interface ResolvedPolicy {
  /** Content hash of everything below (sha256 hex of the canonical JSON without `revision`). */
  revision: string;
  settings: { multi_tenant_enabled: boolean };
  /** Action name → level, read/write kind and its plain permission id (Stream's capability). */
  actions: Record<string, { level: 'app' | 'call'; kind: 'read' | 'write'; permission: string }>;
  /** Builtin catalog plus custom permissions. */
  permissions: Record<
    string,
    {
      action: string;
      owner: boolean;
      same_team: boolean;
      name: string;
      description: string;
      builtin: boolean;
    }
  >;
  /** Builtin and custom roles; `any` is a custom role usable at both levels. */
  roles: Record<string, { level: 'user' | 'call' | 'any'; builtin: boolean; description: string }>;
  /** `.app` scope: role → sorted permission ids. */
  app_grants: GrantsMap;
  /** Call type → role → sorted permission ids (builtin types with their defaults, custom types). */
  call_types: Record<string, GrantsMap>;
  /** "type:id" → role → sorted modifiers (`id` grants, `!id` revokes). */
  call_overrides: Record<string, GrantsMap>;
  /**
   * Where each grant came from in the grants file, same nesting as the grants above with the
   * permission id (without `!`) as the last key. Grants that come from builtin defaults have none.
   */
  sources: {
    app: Record<string, Record<string, SourceRef>>;
    call_types: Record<string, Record<string, Record<string, SourceRef>>>;
    call_overrides: Record<string, Record<string, Record<string, SourceRef>>>;
  };
  /**
   * Action → sorted ids of the permissions whose action it is. Not produced by resolve (nor part
   * of the revision): emit-data derives it from `permissions` into data.json, and the engine
   * falls back to scanning `permissions` when it is absent.
   */
  permissions_by_action?: Record<string, string[]>;
}

/** One file produced by the compiler, relative to the output folder. */
export interface EmittedFile {
  path: string;
  contents: string | Uint8Array;
}
