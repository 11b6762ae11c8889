// How a route file declares its endpoints: a method, a Stream path, the JSON Schemas of its path
// parameters and body (server/routes/bodies.ts; fastify validates them after authentication and
// before the handler), and a handler that gets the request's service context (authenticated
// actor, live policy, database) and the validated, typed parts, and returns the answer.
import type { FastifyRequest } from 'fastify';
import type { Static, TSchema } from 'typebox';
import type { ServiceContext } from '../services/context.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** The schemas of the parts of a request a route reads; a part without one is not read. */
export interface RouteSchemas {
  params?: TSchema;
  body?: TSchema;
}

type Validated<Schema> = Schema extends TSchema ? Static<Schema> : undefined;

/** What a handler gets besides the context: the validated parts (an absent body is `{}`). */
export interface RouteInput<Schemas extends RouteSchemas> {
  params: Validated<Schemas['params']>;
  body: Validated<Schemas['body']>;
  request: FastifyRequest;
}

export type Handler<Schemas extends RouteSchemas> = (
  context: ServiceContext,
  input: RouteInput<Schemas>,
) => unknown;

/** How a route is served besides its schemas. */
export interface RouteOptions {
  /** The success status (default 200; an answer with `created: true` is 201 anyway). */
  status?: number;
  /**
   * Only server-side auth may call it: anyone else gets 403 SERVER_ONLY before the body is
   * checked, so a refused caller learns nothing of the body's shape.
   */
  serverOnly?: boolean;
  /** Stream's clients send this one without a body (or `null`): it is then `{}`. */
  optionalBody?: boolean;
}

/** Registers one authenticated endpoint. */
export type Route = <Schemas extends RouteSchemas>(
  method: Method,
  url: string,
  schemas: Schemas,
  handler: Handler<Schemas>,
  options?: RouteOptions,
) => void;
