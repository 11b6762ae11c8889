// Compares two resolved policies grant by grant (role × scope × permission) and classifies each
// change as widening or narrowing access, so reviewers and CI gates see what a PR really does.
import type { GrantsMap, ResolvedPolicy, SourceRef } from '../../compiler/types.js';
import type {
  Effect,
  GrantChange,
  PermissionChange,
  PolicyDiff,
  RoleChange,
  ScopeChange,
  SettingChange,
} from './types.js';

type SourceTable = Record<string, Record<string, SourceRef>>;

interface Scope {
  name: string;
  grants: GrantsMap;
  sources: SourceTable;
  /** Where each role's list is written (what replaced the role's defaults). */
  lists: Record<string, SourceRef>;
  /** Override scopes hold modifiers (`id` / `!id`), the others plain grants. */
  modifiers: boolean;
}

export function diffPolicies(
  before: ResolvedPolicy,
  after: ResolvedPolicy,
  labels: { before: string; after: string } = { before: 'before', after: 'after' },
): PolicyDiff {
  const beforeScopes = scopesOf(before);
  const afterScopes = scopesOf(after);
  const scopeNames = sortedUnion(Object.keys(beforeScopes), Object.keys(afterScopes));
  const grants: GrantChange[] = [];
  const scopes: ScopeChange[] = [];
  for (const name of scopeNames) {
    const old = beforeScopes[name];
    const current = afterScopes[name];
    if (old === undefined) scopes.push({ scope: name, change: 'added' });
    if (current === undefined) scopes.push({ scope: name, change: 'removed' });
    grants.push(...diffScope(name, old, current));
  }
  return {
    before: { label: labels.before, revision: before.revision },
    after: { label: labels.after, revision: after.revision },
    settings: diffSettings(before, after),
    roles: diffRoles(before, after),
    permissions: diffPermissions(before, after),
    scopes,
    grants,
    cases: [],
  };
}

/** Every scope of a policy by name: `.app`, `call_type:<type>`, `call:<type>:<id>`. */
function scopesOf(policy: ResolvedPolicy): Record<string, Scope> {
  const scopes: Record<string, Scope> = {
    '.app': {
      name: '.app',
      grants: policy.app_grants,
      sources: policy.sources.app,
      lists: policy.sources.role_lists?.app ?? {},
      modifiers: false,
    },
  };
  for (const [callType, grants] of Object.entries(policy.call_types)) {
    const name = `call_type:${callType}`;
    const sources = policy.sources.call_types[callType] ?? {};
    const lists = policy.sources.role_lists?.call_types[callType] ?? {};
    scopes[name] = { name, grants, sources, lists, modifiers: false };
  }
  for (const [callKey, grants] of Object.entries(policy.call_overrides)) {
    const name = `call:${callKey}`;
    const sources = policy.sources.call_overrides[callKey] ?? {};
    scopes[name] = { name, grants, sources, lists: {}, modifiers: true };
  }
  return scopes;
}

function diffScope(
  name: string,
  old: Scope | undefined,
  current: Scope | undefined,
): GrantChange[] {
  const modifiers = (old ?? current)?.modifiers ?? false;
  const roles = sortedUnion(Object.keys(old?.grants ?? {}), Object.keys(current?.grants ?? {}));
  const changes: GrantChange[] = [];
  for (const role of roles) {
    const before = new Set(old?.grants[role] ?? []);
    const after = new Set(current?.grants[role] ?? []);
    for (const entry of sortedUnion([...before], [...after])) {
      const inBefore = before.has(entry);
      const inAfter = after.has(entry);
      if (inBefore === inAfter) continue;
      const revoke = modifiers && entry.startsWith('!');
      const permission = revoke ? entry.slice(1) : entry;
      const change = revoke ? (inAfter ? 'revoked' : 'unrevoked') : inAfter ? 'added' : 'removed';
      const effect: Effect = change === 'added' || change === 'unrevoked' ? 'widened' : 'narrowed';
      const sourceTable = inAfter ? current?.sources : old?.sources;
      // A default the new file's list for the role replaced points at that list.
      const source =
        sourceTable?.[role]?.[permission] ?? (inAfter ? undefined : current?.lists[role]);
      changes.push({
        scope: name,
        role,
        permission,
        change,
        effect,
        ...(source === undefined ? {} : { source }),
      });
    }
  }
  return changes;
}

function diffSettings(before: ResolvedPolicy, after: ResolvedPolicy): SettingChange[] {
  const changes: SettingChange[] = [];
  const old = before.settings.multi_tenant_enabled;
  const current = after.settings.multi_tenant_enabled;
  if (old !== current) {
    // Turning tenancy off removes the team walls: every decision may now cross teams.
    changes.push({
      setting: 'multi_tenant_enabled',
      before: old,
      after: current,
      effect: current ? 'narrowed' : 'widened',
    });
  }
  return changes;
}

function diffRoles(before: ResolvedPolicy, after: ResolvedPolicy): RoleChange[] {
  const changes: RoleChange[] = [];
  for (const role of sortedUnion(Object.keys(before.roles), Object.keys(after.roles))) {
    const old = before.roles[role];
    const current = after.roles[role];
    if (old === undefined && current !== undefined) {
      changes.push({ role, change: 'added', after: current.level, effect: 'neutral' });
    } else if (old !== undefined && current === undefined) {
      changes.push({ role, change: 'removed', before: old.level, effect: 'neutral' });
    } else if (old !== undefined && current !== undefined && old.level !== current.level) {
      // `any` may be used at both levels; restricting it narrows, lifting a restriction widens.
      const effect: Effect =
        current.level === 'any' ? 'widened' : old.level === 'any' ? 'narrowed' : 'mixed';
      changes.push({ role, change: 'changed', before: old.level, after: current.level, effect });
    }
  }
  return changes;
}

function diffPermissions(before: ResolvedPolicy, after: ResolvedPolicy): PermissionChange[] {
  const changes: PermissionChange[] = [];
  const ids = sortedUnion(Object.keys(before.permissions), Object.keys(after.permissions));
  for (const permission of ids) {
    const old = before.permissions[permission];
    const current = after.permissions[permission];
    if (old === undefined) {
      changes.push({ permission, change: 'added', details: [], effect: 'neutral' });
      continue;
    }
    if (current === undefined) {
      changes.push({ permission, change: 'removed', details: [], effect: 'neutral' });
      continue;
    }
    const details: string[] = [];
    const effects = new Set<Effect>();
    if (old.action !== current.action) {
      details.push(`action: ${old.action} → ${current.action}`);
      effects.add('mixed');
    }
    // A condition (owner, same_team) turned off lets more subjects through.
    for (const flag of ['owner', 'same_team'] as const) {
      if (old[flag] !== current[flag]) {
        details.push(`${flag}: ${String(old[flag])} → ${String(current[flag])}`);
        effects.add(current[flag] ? 'narrowed' : 'widened');
      }
    }
    for (const text of ['name', 'description'] as const) {
      if (old[text] !== current[text]) details.push(`${text} changed`);
    }
    if (details.length === 0) continue;
    changes.push({ permission, change: 'changed', details, effect: combineEffects(effects) });
  }
  return changes;
}

function combineEffects(effects: Iterable<Effect>): Effect {
  const set = new Set(effects);
  set.delete('neutral');
  if (set.size === 0) return 'neutral';
  if (set.size === 1) return [...set][0] ?? 'neutral';
  return 'mixed';
}

function sortedUnion(first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second])].sort();
}
