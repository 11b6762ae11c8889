// The resolved policy every engine reads (data.json's `rolecall_data`), and the grants maps it
// is made of. Types only; the compiler's resolve stage produces it.

/** role → list of permission ids (patches) or modifiers (`id` / `!id`, in overrides). */
export type GrantsMap = Record<string, string[]>;

/** "file:line:col" of a grant in the grants file. */
export type SourceRef = string;

/** A custom permission as the grants file declares it and the API creates it (DESIGN §2). */
export interface CustomPermissionSpec {
  id: string;
  action: string;
  name?: string;
  description?: string;
  owner?: boolean;
  same_team?: boolean;
}

/**
 * The resolved policy: everything the Rego engine reads, stored at `data.rolecall_data` in the
 * bundle's data.json. Arrays are sorted and keys are emitted sorted, so output is deterministic.
 */
export interface ResolvedPolicy {
  /**
   * Content hash of the grants and settings below: sha256 hex of the canonical JSON without
   * `revision` and `sources`, so the same grants compiled from any folder have one revision.
   */
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
    /**
     * Where each role's list is written in `.app` and in call types: the line whose list
     * replaced that role's defaults (`rolecall diff` points removed defaults at it). Absent in
     * data of older compiles and of the API.
     */
    role_lists?: {
      app: Record<string, SourceRef>;
      call_types: Record<string, Record<string, SourceRef>>;
    };
  };
  /**
   * Action → sorted ids of the permissions whose action it is. Not produced by resolve (nor part
   * of the revision): emit-data derives it from `permissions` into data.json, and the engine
   * falls back to scanning `permissions` when it is absent.
   */
  permissions_by_action?: Record<string, string[]>;
  /** The precomputed decision tables (core/data-document.ts); derived like the index above. */
  decision_tables?: DecisionTables;
}

/**
 * What every engine reads instead of layering the grants file at decision time: for each scope
 * and role, the grants in effect per action after the layers that do not depend on the input.
 */
export interface DecisionTables {
  /** `.app`: role → app-level action → the grants of that action. */
  app: Record<string, Record<string, TableEntry[]>>;
  /** Call type → role → call-level action → its entries after the call type's grants. */
  call_types: Record<string, Record<string, Record<string, TableEntry[]>>>;
  /**
   * "type:id" of a YAML call override → role → action → its entries after the call type's grants
   * and the override. Only the roles the override names; the others read `call_types`.
   */
  calls: Record<string, Record<string, Record<string, TableEntry[]>>>;
}

/**
 * One permission of one role in one scope. `grants: true` is a grant in effect; `grants: false`
 * is a `!` that removed a grant of an earlier layer (a revoke of nothing is left out). The
 * permission's conditions are copied here so a decision needs no second lookup.
 */
export interface TableEntry {
  permission: string;
  grants: boolean;
  /** `.app`, `call_type:<type>` or `call:<type>:<id>`. */
  scope: string;
  /** "file:line:col" of the grant or revoke in the grants file; "" when it has none. */
  source: string;
  owner: boolean;
  same_team: boolean;
}

/** A role that may be a user's own role (and whose `.app` and call grants then count). */
export function isUserLevel(level: string | undefined): boolean {
  return level === 'user' || level === 'any';
}

/** A role that may be a call member's role (and whose call grants then count). */
export function isCallLevel(level: string | undefined): boolean {
  return level === 'call' || level === 'any';
}
