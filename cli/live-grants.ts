// A running app's permission model over Stream's REST wire, for `rolecall pull` and `rolecall
// apply`: the server client from the app's credentials and the reads that make up its
// LiveGrants.
import type { LiveGrants, LivePermission } from '../compiler/unresolve/index.js';
import { normalizeGrants } from '../compiler/resolve/index.js';
import { RolecallApiError } from '../sdk/clients/errors.js';
import { createServerClient, type ServerClient } from '../sdk/clients/server-client.js';
import type { GrantsMap } from '../sdk/clients/types.js';
import { UsageError } from './io.js';

/** The app's credentials: the API key and the secret that signs server tokens. */
export interface ServerCredentials {
  apiKey: string;
  apiSecret: string;
}

/**
 * `--api-key` / `--api-secret`, else ROLECALL_API_KEY / ROLECALL_API_SECRET (what `diff --live`
 * reads; the environment keeps the secret out of CI logs and shell history).
 */
export function serverCredentials(
  values: { 'api-key'?: string | undefined; 'api-secret'?: string | undefined },
  command: string,
): ServerCredentials {
  const apiKey = values['api-key'] ?? process.env['ROLECALL_API_KEY'];
  const apiSecret = values['api-secret'] ?? process.env['ROLECALL_API_SECRET'];
  if (apiKey === undefined || apiKey === '' || apiSecret === undefined || apiSecret === '') {
    throw new UsageError(
      `${command} needs the app's credentials: set ROLECALL_API_KEY and ROLECALL_API_SECRET (or give --api-key and --api-secret)`,
    );
  }
  return { apiKey, apiSecret };
}

/** `--url` (or another flag's) value, checked to be an http(s) URL. */
export function serverUrl(url: string | undefined, usage: string, flag = '--url'): string {
  if (url === undefined)
    throw new UsageError(`${flag} URL of the app's server is required\n${usage}`);
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new UsageError(`${flag} "${url}" is not an http(s) URL`);
  }
  return url;
}

export type AdminClient = ServerClient;

/** The server client for `url` with the app's credentials. */
export function connectAdmin(url: string, credentials: ServerCredentials): AdminClient {
  return createServerClient({
    baseUrl: url,
    apiKey: credentials.apiKey,
    secret: credentials.apiSecret,
  });
}

/** Where the reads of one pull stand, for messages: the wire call that failed. */
export class LiveReadError extends Error {
  override name = 'LiveReadError';
  constructor(
    readonly request: string,
    cause: unknown,
  ) {
    super(`${request}: ${describeFailure(cause)}`, { cause });
  }
}

/** `409 ROLE_IN_USE: role "x" is the role of …` for an API error, the message otherwise. */
export function describeFailure(error: unknown): string {
  if (error instanceof RolecallApiError) {
    const answer = `${String(error.status)} ${error.code}: ${error.message}`;
    // A route the server does not have: say which rolecall needs, not only that it is missing.
    return error.status === 404 && error.message === 'no such endpoint'
      ? `${answer} (this server does not offer that request)`
      : answer;
  }
  return error instanceof Error ? error.message : String(error);
}

async function read<T>(request: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw new LiveReadError(request, error);
  }
}

/**
 * The app's permission model as its server reports it: settings and `.app` grants (getApp),
 * custom roles (listRoles) and permissions (listPermissions), every call type with its effective
 * grants (listCallTypes), and the grants-file call overrides (getLiveGrants; a server without
 * rolecall's extension has none, reported through `notes`).
 */
export async function readLiveGrants(
  admin: ServerClient,
  notes: (text: string) => void = () => {},
): Promise<{ grants: LiveGrants; revision: string | undefined }> {
  const { app } = await read('getApp', () => admin.getApp());
  const { roles } = await read('listRoles', () => admin.listRoles());
  const { permissions } = await read('listPermissions', () => admin.listPermissions());
  const { call_types: callTypes } = await read('listCallTypes', () => admin.listCallTypes());

  const live: LiveGrants = {
    multi_tenant_enabled: app.multi_tenant_enabled,
    app_grants: normalizeGrants(app.grants),
    roles: {},
    permissions: {},
    call_types: {},
    call_overrides: await readCallOverrides(admin, notes),
  };
  for (const role of roles) {
    if (role.custom) live.roles[role.name] = { level: role.level, description: role.description };
  }
  for (const permission of permissions) {
    if (!permission.custom) continue;
    const { action, name, description, owner, same_team } = permission;
    live.permissions[permission.id] = {
      action,
      name,
      description,
      owner,
      same_team,
    } satisfies LivePermission;
  }
  for (const [name, callType] of Object.entries(callTypes)) {
    live.call_types[name] = normalizeGrants(callType.grants);
  }
  // rolecall's servers name their grants by revision (a content hash, DESIGN §7); Stream does not.
  const revision = typeof app.revision === 'string' ? app.revision : undefined;
  return { grants: live, revision };
}

/**
 * The grants-file layer of per-call overrides (`calls:`), from the server's resolved policy:
 * what data.json serves and `rolecall diff --live` compares. The overrides an app sets on call
 * records at run time (UpdateCall `config_overrides`) are call data, like members, and not read.
 */
async function readCallOverrides(
  admin: ServerClient,
  notes: (text: string) => void,
): Promise<Record<string, GrantsMap>> {
  let answer: { policy: unknown };
  try {
    answer = await admin.getLiveGrants();
  } catch (error) {
    if (error instanceof RolecallApiError && error.status === 404) {
      notes(
        'the server has no grants-file call overrides (no /api/v2/rolecall/grants); calls: left out\n',
      );
      return {};
    }
    throw new LiveReadError('getLiveGrants', error);
  }
  const policy = answer.policy as { call_overrides?: Record<string, GrantsMap> } | null;
  const overrides: Record<string, GrantsMap> = {};
  for (const [callKey, modifiers] of Object.entries(policy?.call_overrides ?? {})) {
    const grants = normalizeGrants(modifiers);
    if (Object.keys(grants).length > 0) overrides[callKey] = grants;
  }
  return overrides;
}
