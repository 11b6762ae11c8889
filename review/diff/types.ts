// The shape of a permission diff between two resolved policies, shared by the differ and the
// renderers (markdown for PR comments, JSON for tools).

/**
 * What a change does to access: `widened` lets someone do something they could not before,
 * `narrowed` takes something away, `mixed` does both (e.g. a custom permission's action changed),
 * `neutral` changes neither by itself (a role added with no grants yet).
 */
export type Effect = 'widened' | 'narrowed' | 'mixed' | 'neutral';

/**
 * `added` / `removed`: a permission granted to / no longer granted to a role in a scope (in a
 * call override scope: a bare modifier added / removed). `revoked` / `unrevoked`: a `!` modifier
 * added / removed in a call override scope.
 */
export type GrantChangeKind = 'added' | 'removed' | 'revoked' | 'unrevoked';

export interface GrantChange {
  /** `.app`, `call_type:<type>` or `call:<type>:<id>`. */
  scope: string;
  role: string;
  permission: string;
  change: GrantChangeKind;
  effect: Effect;
  /** `file:line:col` in the new file (added, revoked) or the old one (removed, unrevoked). */
  source?: string;
}

export interface SettingChange {
  setting: string;
  before: unknown;
  after: unknown;
  effect: Effect;
}

export interface RoleChange {
  role: string;
  change: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
  effect: Effect;
}

export interface PermissionChange {
  permission: string;
  change: 'added' | 'removed' | 'changed';
  /** For `changed`: the fields that differ, e.g. `owner: true → false`. */
  details: string[];
  effect: Effect;
}

export interface ScopeChange {
  scope: string;
  change: 'added' | 'removed';
}

/** A suite case whose outcome differs between the two policies. */
export interface CaseChange {
  suite: string;
  case: string;
  /** `file:line:col` of the case in its suite. */
  location: string;
  before: { allow: boolean; reason: string };
  after: { allow: boolean; reason: string };
  effect: Effect;
}

export interface PolicyDiff {
  before: { label: string; revision: string };
  after: { label: string; revision: string };
  settings: SettingChange[];
  roles: RoleChange[];
  permissions: PermissionChange[];
  scopes: ScopeChange[];
  grants: GrantChange[];
  cases: CaseChange[];
}

/** The `--fail-on` kinds: `removed` matches narrowing changes, `widened` widening ones. */
export type FailOnKind = 'removed' | 'widened' | 'any';
