// Start-up: the stored grants are the live state; with --config the file wins, and every value it
// replaced is logged as drift so changes made through the API are never lost silently.
import type { Logger } from 'pino';
import type { GrantsSpec } from '../../compiler/types.js';
import type { Database } from '../db/database.js';
import { ApiError } from '../errors.js';
import { readStoredSpec, writeStoredSpec } from '../store/state.js';
import { diagnosticsError, EMPTY_SPEC } from './live-policy.js';
import type { PolicyToolkit } from './toolkit.js';

export interface DriftEntry {
  path: string;
  stored: unknown;
  file: unknown;
}

/** Leaf-level differences between two JSON values ('' is the root). */
export function diffValues(stored: unknown, file: unknown, path = ''): DriftEntry[] {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isObject(stored) && isObject(file)) {
    const keys = [...new Set([...Object.keys(stored), ...Object.keys(file)])].sort();
    return keys.flatMap((key) =>
      diffValues(stored[key], file[key], path === '' ? key : `${path}.${key}`),
    );
  }
  if (JSON.stringify(stored) === JSON.stringify(file)) return [];
  return [{ path, stored: stored ?? null, file: file ?? null }];
}

export async function applyConfigAtStart(
  db: Database,
  toolkit: PolicyToolkit,
  config: { file: string; text: string } | { spec: GrantsSpec } | undefined,
  log: Logger,
): Promise<GrantsSpec> {
  const stored = await readStoredSpec(db);
  if (config === undefined) {
    if (stored === undefined) {
      const policy = toolkit.resolve(EMPTY_SPEC);
      await writeStoredSpec(db, EMPTY_SPEC, policy.revision);
      return EMPTY_SPEC;
    }
    return stored.spec;
  }
  let spec: GrantsSpec;
  if ('spec' in config) {
    const problem = diagnosticsError(toolkit.validateSpec(config.spec));
    if (problem !== undefined) throw problem;
    spec = config.spec;
  } else {
    const loaded = toolkit.loadFile(config.file, config.text);
    if (!loaded.ok) {
      const problem =
        diagnosticsError(loaded.diagnostics) ??
        new ApiError(400, 'CONFIG_INVALID', 'invalid grants file');
      throw new Error(`${config.file}: ${problem.code}: ${problem.message}`);
    }
    // Warnings do not stop the server, but they are said, as `rolecall check` says them.
    for (const warning of loaded.diagnostics) {
      log.warn(
        {
          file: warning.file,
          line: warning.line,
          column: warning.column,
          code: warning.code,
          ...(warning.help === undefined ? {} : { help: warning.help }),
        },
        `grants file warning: ${warning.message}`,
      );
    }
    spec = loaded.spec;
  }
  const policy = toolkit.resolve(spec);
  if (stored !== undefined) {
    const storedPolicy = toolkit.resolve(stored.spec);
    const drift = diffValues(
      { spec: stored.spec, grants: strip(storedPolicy) },
      { spec, grants: strip(policy) },
    );
    for (const entry of drift) log.warn({ drift: entry }, 'grants file replaces a stored value');
    if (drift.length > 0)
      log.warn(
        { replaced: drift.length, revision: policy.revision },
        'drift: the grants file replaced live changes',
      );
  }
  await writeStoredSpec(db, spec, policy.revision);
  return spec;
}

/** The parts of a resolved policy people change; sources and revision would only add noise. */
function strip(policy: ReturnType<PolicyToolkit['resolve']>): Record<string, unknown> {
  return {
    settings: policy.settings,
    app_grants: policy.app_grants,
    call_types: policy.call_types,
    call_overrides: policy.call_overrides,
    roles: policy.roles,
  };
}
