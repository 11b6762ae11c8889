// The fastify application: authentication, then the JSON Schemas of each route's body and path
// (server/schemas/), Stream's REST wire (server/routes/), Stream's JSON errors and one log line per
// request. It holds no state of its own besides the live policy, so servers can scale out.
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyReply,
  type FastifyRequest,
  type FastifySchema,
} from 'fastify';
import type { Logger } from 'pino';
import { ANONYMOUS_SUBJECT_ID, requireServer, resolveActor, type ActorCache } from './actor.js';
import { authenticateRequest, verificationKey } from './auth.js';
import type { ChangeFeed } from './db/change-feed.js';
import { DatabaseUnavailableError, type Database } from './db/database.js';
import { Decider } from './decider.js';
import { RequestPolicy } from './request-policy.js';
import { ApiError, badRequest, streamErrorBody } from './errors.js';
import type { LivePolicy } from './policy/live-policy.js';
import { packageVersion } from '../compiler/assets.js';
import { createGuestToken } from '../sdk/clients/token.js';
import { openApiDocument, type RegisteredRoute } from './openapi.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerCallRoutes } from './routes/calls.js';
import type { Handler, Method, RouteInput, RouteOptions, RouteSchemas } from './routes/route.js';
import { registerUserRoutes } from './routes/users.js';
import { REASON_KEYWORDS, schemaError, type SchemaFailure } from './schemas/schema-errors.js';
import type { CallIdRule, ServiceContext, ServiceLimits } from './services/context.js';
import { BODY_LIMITS, checkBodyBounds } from './schemas/json-bounds.js';
import { MAX_ID_LENGTH } from './schemas/limits.js';
import { VerifiedTokens } from './verified-tokens.js';

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

/** SQLSTATE class 22 ("data exception"), raised by PostgreSQL and PGlite alike. */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    /^22[0-9A-Z]{3}$/.test(code) &&
    (error as { statusCode?: unknown }).statusCode === undefined
  );
}

/** Longest path parameter as sent (percent-encoded): a 255-character id fully encoded fits. */
const MAX_PARAM_LENGTH = 1024;

/** Largest request head (request line and headers) the server reads. */
export const MAX_REQUEST_HEAD_BYTES = 256 * 1024;

/**
 * Ajv's messages go to the server's log. Ajv calls `unicode: false` deprecated on every start yet
 * still honours it (lengths in code units, which the bounds need): that one line is dropped.
 */
function schemaCompilerLogger(log: Logger) {
  return {
    log: (...args: unknown[]) => {
      log.debug(args.map(String).join(' '));
    },
    warn: (...args: unknown[]) => {
      const message = args.map(String).join(' ');
      if (!message.startsWith('DEPRECATED: option unicode.')) log.warn(message);
    },
    error: (...args: unknown[]) => {
      log.error(args.map(String).join(' '));
    },
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function prototypeKeyRefusal(): ApiError {
  return badRequest(
    'INVALID_REQUEST',
    'the body has a "__proto__" key or a "constructor" key holding "prototype", which the server refuses; rename the key',
  );
}

export function buildApp(options: AppOptions) {
  const app = Fastify({
    loggerInstance: options.log,
    // fastify's own two lines per request are replaced by the single line below.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    bodyLimit: BODY_LIMITS.bytes,
    // A path parameter as sent (percent-encoded): room for a 255-character call id with every
    // character encoded, so an id past its bound is the schema's INVALID_ID, not a bare 414.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Stream's queryUsers sends its filter in the URL (`?payload=`): room for a filter at the
    // filter size bound (64 KiB of JSON, up to 3× that URL-encoded), so the bound answers with
    // its reason instead of Node's bare 431 for a 16 KiB head.
    http: { maxHeaderSize: MAX_REQUEST_HEAD_BYTES },
    // Bodies are checked as sent: no type coercion, no defaults, no fields dropped; each error
    // keeps its schema node, whose `x-reason` and description make the 400 (schema-errors.ts).
    ajv: {
      customOptions: {
        coerceTypes: false,
        useDefaults: false,
        removeAdditional: false,
        verbose: true,
        // Lengths in UTF-16 code units, as JavaScript's `.length` and the stored limits count.
        unicode: false,
        // `type: ['array', 'object']` (Stream's users list or map) and nullable fields.
        allowUnionTypes: true,
        keywords: [...REASON_KEYWORDS],
        logger: schemaCompilerLogger(options.log),
      },
    },
    schemaErrorFormatter: (errors, part) => schemaError(errors as SchemaFailure[], part),
    // The router's own refusals answer in Stream's error body like every other refusal: a path
    // parameter past maxParamLength (longer than any id can be) and a path that does not decode
    // (bad percent-encoding or UTF-8).
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const refusal =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? badRequest(
              'INVALID_ID',
              `a path parameter is longer than ${String(MAX_PARAM_LENGTH)} characters as sent; ids are at most ${String(MAX_ID_LENGTH)}`,
            )
          : badRequest('INVALID_REQUEST', 'the path is not valid percent-encoded UTF-8');
      void reply.status(refusal.status).send(refusal.toJSON());
    },
  });
  const secret = verificationKey(options.apiSecret);
  const verifiedTokens = new VerifiedTokens();
  const decider = new Decider(options.live, options.decisionLog);

  // Stream's SDKs send `content-type: application/json` with no body on DELETE and on actions
  // without parameters (mark_ended): an empty body is no body; anything else parses as usual.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  // Bytes that are not UTF-8 are refused, not decoded with U+FFFD in their place: a name would
  // be stored changed without a word (lone surrogate escapes are refused for the same reason).
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (bytes.length === 0) {
      done(null, undefined);
      return;
    }
    if (!isUtf8(bytes)) {
      done(badRequest('INVALID_REQUEST', 'the body is not UTF-8 text'), undefined);
      return;
    }
    const text = bytes.toString('utf8');
    void parseJson(request, text, (error, body) => {
      // The default parser refuses `__proto__` and `constructor.prototype` keys (they would
      // reach object prototypes) with its words for broken JSON; valid JSON is told why.
      done(error instanceof Error && isJson(text) ? prototypeKeyRefusal() : error, body);
    });
  });
  // Fastify parses text/plain by default; a request body of the API is JSON, so any other type
  // answers 415 like application/xml does.
  app.removeContentTypeParser('text/plain');

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
      void reply
        .status(503)
        .header('retry-after', '1')
        .send(
          streamErrorBody(
            503,
            'DATABASE_UNAVAILABLE',
            'the database connection was lost during this request; retry it',
          ),
        );
      return;
    }
    if ((error as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      void reply
        .status(413)
        .send(
          streamErrorBody(
            413,
            'BODY_TOO_LARGE',
            `the request body is larger than ${String(BODY_LIMITS.bytes)} bytes`,
          ),
        );
      return;
    }
    if (isDataException(error)) {
      // A value the database cannot hold (a NUL character, a bad date…) is the caller's mistake.
      void reply
        .status(400)
        .send(
          streamErrorBody(
            400,
            'INVALID_REQUEST',
            'a value in the request cannot be stored or compared',
          ),
        );
      return;
    }
    const status =
      typeof (error as { statusCode?: unknown }).statusCode === 'number'
        ? (error as { statusCode: number }).statusCode
        : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const code = status >= 500 ? 'INTERNAL' : 'INVALID_REQUEST';
    const message = status >= 500 ? 'internal error' : (error as Error).message;
    void reply.status(status).send(streamErrorBody(status, code, message));
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.status(404).send(streamErrorBody(404, 'NOT_FOUND', 'no such endpoint'));
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
    const auth = await authenticateRequest(request.headers, secret, verifiedTokens);
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
      policy: new RequestPolicy(decider, actor),
      actor,
      log: request.log,
      limits: options.limits,
      callIds: options.callIds ?? 'any',
      issueGuestToken: (userId, expiresInSeconds) =>
        createGuestToken(userId, options.apiSecret, { expiresInSeconds }),
    };
  }

  // Authentication comes before the schemas (an unknown caller learns nothing about bodies), so
  // each request's context is made in preValidation and read by its handler.
  const contexts = new WeakMap<FastifyRequest, ServiceContext>();
  function route<Schemas extends RouteSchemas>(
    method: Method,
    url: string,
    schemas: Schemas,
    handler: Handler<Schemas>,
    { status = 200, serverOnly = false, optionalBody = false }: RouteOptions = {},
  ): void {
    const schema: FastifySchema = schemas;
    app.route({
      method,
      url,
      schema,
      preValidation: async (request: FastifyRequest) => {
        const context = await contextFor(request);
        if (serverOnly) requireServer(context.actor);
        contexts.set(request, context);
        if (optionalBody && (request.body === undefined || request.body === null))
          request.body = {};
      },
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const context = contexts.get(request);
        if (context === undefined) throw new Error(`${method} ${url} ran without its context`);
        // fastify has validated the parts against `schemas` by now.
        const input = {
          params: request.params,
          body: request.body,
          request,
        } as RouteInput<Schemas>;
        const result = await handler(context, input);
        const created =
          typeof result === 'object' &&
          result !== null &&
          (result as { created?: unknown }).created === true;
        // Stream's answers all carry the time the server spent on them.
        const duration = `${reply.elapsedTime.toFixed(2)}ms`;
        return reply
          .status(created ? 201 : status)
          .send(typeof result === 'object' && result !== null ? { ...result, duration } : result);
      },
    });
  }

  // Every route fastify registers, for the OpenAPI document (which then cannot drift from them).
  const registered: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      registered.push({ method, url: route.url, schema: route.schema });
  });
  let openApi: unknown;

  app.get('/health', () => ({ status: 'ok', revision: options.live.revision }));
  app.get('/openapi.json', () => (openApi ??= openApiDocument(registered, packageVersion())));

  // The bundle holds the app's resolved grants (call overrides name calls), so it needs the API
  // key and a valid token — a user's client or a server-token sidecar — never anonymous access.
  async function requireToken(request: FastifyRequest): Promise<void> {
    const context = await contextFor(request);
    if (context.actor.subject.id === ANONYMOUS_SUBJECT_ID) {
      throw new ApiError(401, 'AUTH_MISSING', 'the policy is served to token holders only');
    }
  }
  app.get('/bundle.tar.gz', async (request, reply) => {
    await requireToken(request);
    const { bundle, etag } = options.live.snapshot;
    void reply.header('etag', etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.type('application/gzip').send(Buffer.from(bundle));
  });
  app.get('/data.json', async (request, reply) => {
    await requireToken(request);
    const { dataDocument, etag } = options.live.snapshot;
    void reply.header('etag', etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.send(dataDocument);
  });

  registerAdminRoutes(route);
  registerUserRoutes(route);
  registerCallRoutes(route);
  return app;
}
