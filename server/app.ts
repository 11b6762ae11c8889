// The fastify application: authentication, the Stream-like routes, JSON errors and one log line
// per request. It holds no state of its own besides the live policy, so servers can scale out.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { resolveActor, type ActorCache } from './actor.js';
import { authenticate, tokenFromHeader, verificationKey } from './auth.js';
import type { ChangeFeed } from './db/change-feed.js';
import { DatabaseUnavailableError, type Database } from './db/database.js';
import { Decider } from './decider.js';
import { ApiError } from './errors.js';
import type { LivePolicy } from './policy/live-policy.js';
import * as admin from './services/admin.js';
import * as calls from './services/calls.js';
import type { CallIdRule, ServiceContext, ServiceLimits } from './services/context.js';
import { BODY_LIMITS, checkBodyBounds } from './services/json-bounds.js';
import * as users from './services/users.js';

export interface AppOptions {
  db: Database;
  live: LivePolicy;
  apiKey: string;
  apiSecret: string;
  log: Logger;
  decisionLog: Logger;
  limits: ServiceLimits;
  /** Which call ids clients may create (default `any`). */
  callIds?: CallIdRule;
  /** Cached actors and grants, kept in step by the change feed; without it, read per request. */
  caches?: { feed: ChangeFeed; actors: ActorCache };
}

type Handler = (context: ServiceContext, request: FastifyRequest) => unknown;

/** SQLSTATE class 22 ("data exception"), raised by PostgreSQL and PGlite alike. */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    /^22[0-9A-Z]{3}$/.test(code) &&
    (error as { statusCode?: unknown }).statusCode === undefined
  );
}

export function buildApp(options: AppOptions) {
  const app = Fastify({
    loggerInstance: options.log,
    // fastify's own two lines per request are replaced by the single line below.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    bodyLimit: BODY_LIMITS.bytes,
  });
  const secret = verificationKey(options.apiSecret);
  const decider = new Decider(options.live, options.decisionLog);

  // One line per request, written when the response is sent.
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        url: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
    done();
  });

  // Bodies are bounded before authentication, decisions or SQL: nothing deeper or wider than
  // BODY_LIMITS reaches a handler, a decision log or the engine.
  app.addHook('preValidation', (request, _reply, done) => {
    checkBodyBounds(request.body);
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError) {
      void reply.status(error.status).send(error.toJSON());
      return;
    }
    if (error instanceof DatabaseUnavailableError) {
      // The request failed as a whole (its transaction rolled back); the server goes on.
      request.log.warn({ err: error.message }, 'request failed: database unavailable');
      void reply.status(503).header('retry-after', '1').send({
        code: 'DATABASE_UNAVAILABLE',
        message: 'the database connection was lost during this request; retry it',
        status: 503,
      });
      return;
    }
    if ((error as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      void reply.status(413).send({
        code: 'BODY_TOO_LARGE',
        message: `the request body is larger than ${String(BODY_LIMITS.bytes)} bytes`,
        status: 413,
      });
      return;
    }
    if (isDataException(error)) {
      // A value the database cannot hold (a NUL character, a bad date…) is the caller's mistake.
      void reply.status(400).send({
        code: 'INVALID_REQUEST',
        message: 'a value in the request cannot be stored or compared',
        status: 400,
      });
      return;
    }
    const status =
      typeof (error as { statusCode?: unknown }).statusCode === 'number'
        ? (error as { statusCode: number }).statusCode
        : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const code = status >= 500 ? 'INTERNAL' : 'INVALID_REQUEST';
    const message = status >= 500 ? 'internal error' : (error as Error).message;
    void reply.status(status).send({ code, message, status });
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.status(404).send({ code: 'NOT_FOUND', message: 'no such endpoint', status: 404 });
  });

  /** Another server behind the same database may have changed the grants: follow it. */
  async function followStoredGrants(): Promise<void> {
    if (options.caches === undefined) options.live.markStale();
    else await options.caches.feed.sync();
    await options.live.follow(options.db);
  }

  async function contextFor(request: FastifyRequest): Promise<ServiceContext> {
    const apiKey =
      (request.query as Record<string, unknown>)['api_key'] ?? request.headers['x-api-key'];
    if (apiKey !== options.apiKey)
      throw new ApiError(401, 'API_KEY_INVALID', 'missing or unknown api_key');
    const auth = await authenticate(tokenFromHeader(request.headers.authorization), secret);
    if (!auth.ok) throw new ApiError(401, auth.code, auth.message);
    await followStoredGrants();
    const actor = await resolveActor(
      options.db,
      auth.principal,
      request.id,
      options.caches?.actors,
    );
    return {
      db: options.db,
      live: options.live,
      decider,
      actor,
      log: request.log,
      limits: options.limits,
      callIds: options.callIds ?? 'any',
    };
  }

  function route(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    handler: Handler,
    status = 200,
  ): void {
    app.route({
      method,
      url,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const context = await contextFor(request);
        const result = await handler(context, request);
        const created =
          typeof result === 'object' &&
          result !== null &&
          (result as { created?: unknown }).created === true;
        return reply.status(created ? 201 : status).send(result);
      },
    });
  }
  const param = (request: FastifyRequest, name: string): string =>
    (request.params as Record<string, string>)[name] ?? '';

  app.get('/health', () => ({ status: 'ok', revision: options.live.revision }));

  // The bundle holds the app's resolved grants (call overrides name calls), so, like every other
  // endpoint, it needs the API key and a valid token: a user's client or a server-token sidecar.
  app.get('/bundle.tar.gz', async (request, reply) => {
    await contextFor(request);
    const { bundle, etag } = options.live.snapshot;
    void reply.header('etag', etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.type('application/gzip').send(Buffer.from(bundle));
  });
  app.get('/data.json', async (request, reply) => {
    await contextFor(request);
    const { dataDocument, etag } = options.live.snapshot;
    void reply.header('etag', etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.send(dataDocument);
  });

  route('GET', '/grants', (context) => admin.getLiveGrants(context));
  route('GET', '/app', (context) => admin.getApp(context));
  route('PATCH', '/app', (context, request) => admin.updateApp(context, request.body));
  route('GET', '/roles', (context) => admin.listRoles(context));
  route('POST', '/roles', (context, request) => admin.createRole(context, request.body), 201);
  route('DELETE', '/roles/:name', (context, request) =>
    admin.deleteRole(context, param(request, 'name')),
  );
  route('GET', '/permissions', (context) => admin.listPermissions(context));
  route('GET', '/call_types/:name', (context, request) =>
    admin.getCallType(context, param(request, 'name')),
  );
  route('PUT', '/call_types/:name', (context, request) =>
    admin.updateCallType(context, param(request, 'name'), request.body),
  );

  route('GET', '/me', async (context) => {
    if (context.actor.side === 'server')
      throw new ApiError(400, 'INVALID_REQUEST', '/me needs a user token');
    return { user: await users.findUser(context.db, context.actor.subject.id) };
  });
  route('POST', '/users', (context, request) => users.upsertUsers(context, request.body));
  route('POST', '/users/query', (context, request) => users.queryUsers(context, request.body));
  route('PATCH', '/users/:id', (context, request) =>
    users.updateUserPartial(context, param(request, 'id'), request.body),
  );
  route('DELETE', '/users/:id', (context, request) => {
    if (context.actor.side !== 'server')
      throw new ApiError(403, 'SERVER_ONLY', 'users are deleted server side');
    return users.deleteUser(context, param(request, 'id'));
  });

  route('POST', '/calls/query', (context, request) => calls.queryCalls(context, request.body));
  route('POST', '/calls/:type/:id', (context, request) =>
    calls.getOrCreateCall(context, param(request, 'type'), param(request, 'id'), request.body),
  );
  route('GET', '/calls/:type/:id', (context, request) =>
    calls.getCall(context, param(request, 'type'), param(request, 'id')),
  );
  route('PATCH', '/calls/:type/:id', (context, request) =>
    calls.updateCall(context, param(request, 'type'), param(request, 'id'), request.body),
  );
  route('POST', '/calls/:type/:id/join', (context, request) =>
    calls.joinCall(context, param(request, 'type'), param(request, 'id')),
  );
  route('POST', '/calls/:type/:id/members', (context, request) =>
    calls.updateCallMembers(context, param(request, 'type'), param(request, 'id'), request.body),
  );
  route('POST', '/calls/:type/:id/user_permissions', (context, request) =>
    calls.updateUserPermissions(
      context,
      param(request, 'type'),
      param(request, 'id'),
      request.body,
    ),
  );
  return app;
}
