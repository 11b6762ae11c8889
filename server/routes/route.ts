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

/** Registers one authenticated endpoint; `status` is the success status (201 on `created`). */
export type Route = <Schemas extends RouteSchemas>(
  method: Method,
  url: string,
  schemas: Schemas,
  handler: Handler<Schemas>,
  status?: number,
) => void;
