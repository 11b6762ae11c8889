// Resolve stage: a validated GrantsSpec plus the builtin catalog and defaults become the
// ResolvedPolicy the engine reads. Pure and YAML-free, so the reference server reuses it.
import { createHash } from 'node:crypto';
import { canonicalize } from '../canonicalize.js';
import type {
  GrantsMap,
  GrantsSpec,
  ResolvedPolicy,
  SourceRef,
  SpanLocator,
  SpecPath,
} from '../types.js';
import {
  builtinActions,
  builtinDefaults,
  builtinPermissions,
  builtinRoles,
  defaultScopeGrants,
} from './catalog.js';
import { compareCodeUnits } from '../compare-code-units.js';
import { modifierPermission, normalizeModifiers, patchScope } from '../../core/layering.js';

export {
  applyModifiers,
  modifierPermission,
  normalizeGrants,
  normalizeModifiers,
  patchScope,
} from '../../core/layering.js';
export { defaultScopeGrants } from './catalog.js';

export interface ResolveOptions {
  /** Where each node of the spec came from; without it (API data) `sources` stays empty. */
  locate?: SpanLocator;
}

type SourceMap = Record<string, Record<string, SourceRef>>;

/** Resolves a validated grants spec into the data the engine evaluates. */
export function resolveGrants(spec: GrantsSpec, options: ResolveOptions = {}): ResolvedPolicy {
  const sourceOf = sourceFinder(options.locate);
  const callTypeNames = [
    ...new Set([...Object.keys(builtinDefaults.call_types), ...Object.keys(spec.call_types ?? {})]),
  ].sort(compareCodeUnits);

  const callTypes: Record<string, GrantsMap> = {};
  const callTypeSources: Record<string, SourceMap> = {};
  const callTypeLists: Record<string, Record<string, SourceRef>> = {};
  for (const name of callTypeNames) {
    const defaults = defaultScopeGrants({ kind: 'call_type', name });
    const patch = spec.call_types?.[name]?.grants;
    callTypes[name] = patchScope(defaults, patch, defaults);
    const sources = patchSources(patch, ['call_types', name, 'grants'], sourceOf);
    if (Object.keys(sources).length > 0) callTypeSources[name] = sources;
    const lists = listSources(patch, ['call_types', name, 'grants'], sourceOf);
    if (Object.keys(lists).length > 0) callTypeLists[name] = lists;
  }

  const callOverrides: Record<string, GrantsMap> = {};
  const overrideSources: Record<string, SourceMap> = {};
  for (const callKey of Object.keys(spec.calls ?? {}).sort(compareCodeUnits)) {
    const modifiers = spec.calls?.[callKey]?.config_overrides?.grants;
    const normalized = normalizeModifiers(modifiers);
    if (Object.keys(normalized).length === 0) continue;
    callOverrides[callKey] = normalized;
    const basePath = ['calls', callKey, 'config_overrides', 'grants'];
    const sources = patchSources(modifiers, basePath, sourceOf);
    if (Object.keys(sources).length > 0) overrideSources[callKey] = sources;
  }

  const appPatch = spec.app?.grants;
  const unhashed: Omit<ResolvedPolicy, 'revision'> = {
    actions: sortRecord(builtinActions, sortFields),
    app_grants: patchScope(builtinDefaults.app, appPatch, builtinDefaults.app),
    call_overrides: callOverrides,
    call_types: callTypes,
    permissions: resolvePermissions(spec),
    roles: resolveRoles(spec),
    settings: { multi_tenant_enabled: spec.app?.multi_tenant_enabled ?? false },
    sources: {
      app: patchSources(appPatch, ['app', 'grants'], sourceOf),
      call_overrides: overrideSources,
      call_types: callTypeSources,
      ...roleLists(listSources(appPatch, ['app', 'grants'], sourceOf), callTypeLists),
    },
  };
  return { revision: revisionOf(unhashed), ...unhashed };
}

/**
 * sha256 hex of the canonical JSON (RFC 8785) of the policy without its revision and sources:
 * the revision names the grants, not where a file was compiled from (DESIGN §7).
 */
export function revisionOf(policy: Omit<ResolvedPolicy, 'revision'>): string {
  // An undefined field is left out of canonical JSON, as of JSON.stringify.
  const canonical = canonicalize({ ...policy, sources: undefined });
  if (canonical === undefined) throw new Error('resolved policy is not serializable');
  return createHash('sha256').update(canonical).digest('hex');
}

function resolvePermissions(spec: GrantsSpec): ResolvedPolicy['permissions'] {
  const permissions: ResolvedPolicy['permissions'] = {};
  for (const permission of builtinPermissions) {
    const { id, ...fields } = permission;
    permissions[id] = { ...fields, builtin: true };
  }
  for (const custom of spec.permissions ?? []) {
    permissions[custom.id] = {
      action: custom.action,
      builtin: false,
      description: custom.description ?? '',
      name: custom.name ?? custom.id,
      owner: custom.owner ?? false,
      same_team: custom.same_team ?? false,
    };
  }
  return sortRecord(permissions, sortFields);
}

function resolveRoles(spec: GrantsSpec): ResolvedPolicy['roles'] {
  const roles: ResolvedPolicy['roles'] = {};
  for (const [name, role] of Object.entries(builtinRoles)) {
    roles[name] = { builtin: true, description: role.description, level: role.level };
  }
  for (const [name, role] of Object.entries(spec.roles ?? {})) {
    roles[name] = {
      builtin: false,
      description: role.description ?? '',
      level: role.level ?? 'any',
    };
  }
  return sortRecord(roles);
}

type SourceFinder = (path: SpecPath) => SourceRef | undefined;

function sourceFinder(locate: SpanLocator | undefined): SourceFinder {
  if (locate === undefined) return () => undefined;
  return (path) => {
    const span = locate(path);
    return span === undefined ? undefined : `${span.file}:${span.line}:${span.column}`;
  };
}

/** `role_lists`, left out when nothing is located (grants from the API). */
function roleLists(
  app: Record<string, SourceRef>,
  callTypes: Record<string, Record<string, SourceRef>>,
): { role_lists?: { app: Record<string, SourceRef>; call_types: typeof callTypes } } {
  if (Object.keys(app).length === 0 && Object.keys(callTypes).length === 0) return {};
  return { role_lists: { app, call_types: callTypes } };
}

/** Where each role's list of a patch is written: role → "file:line:col". */
function listSources(
  patch: GrantsMap | null | undefined,
  basePath: readonly string[],
  sourceOf: SourceFinder,
): Record<string, SourceRef> {
  const sources: Record<string, SourceRef> = {};
  if (patch === null || patch === undefined) return sources;
  for (const role of Object.keys(patch).sort(compareCodeUnits)) {
    const source = sourceOf([...basePath, role]);
    if (source !== undefined) sources[role] = source;
  }
  return sources;
}

/** Sources of the grants a patch or modifier list wrote: role → permission id → "file:line:col". */
function patchSources(
  patch: GrantsMap | null | undefined,
  basePath: readonly string[],
  sourceOf: SourceFinder,
): SourceMap {
  const sources: SourceMap = {};
  if (patch === null || patch === undefined) return sources;
  for (const role of Object.keys(patch).sort(compareCodeUnits)) {
    const roleSources: Record<string, SourceRef> = {};
    (patch[role] ?? []).forEach((modifier, index) => {
      const permission = modifierPermission(modifier);
      if (Object.hasOwn(roleSources, permission)) return;
      const source = sourceOf([...basePath, role, index]);
      if (source !== undefined) roleSources[permission] = source;
    });
    if (Object.keys(roleSources).length > 0) sources[role] = sortRecord(roleSources);
  }
  return sources;
}

function sortFields<T extends object>(value: T): T {
  return sortRecord(value as Record<string, unknown>) as T;
}

/** A copy of a record with its keys in code-unit order (values mapped by `mapValue`). */
function sortRecord<T>(record: Record<string, T>, mapValue: (value: T) => T = (value) => value) {
  const sorted: Record<string, T> = {};
  for (const key of Object.keys(record).sort(compareCodeUnits)) {
    sorted[key] = mapValue(record[key] as T);
  }
  return sorted;
}
