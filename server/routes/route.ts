// How a route file declares its endpoints: a method, a Stream path, and a handler that gets the
// request's service context (authenticated actor, live policy, database) and returns the body.
import type { FastifyRequest } from 'fastify';
import type { ServiceContext } from '../services/context.js';

export type Handler = (context: ServiceContext, request: FastifyRequest) => unknown;

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** Registers one authenticated endpoint; `status` is the success status (201 on `created`). */
export type Route = (method: Method, url: string, handler: Handler, status?: number) => void;

/** A path parameter (fastify has already URL-decoded it). */
export const param = (request: FastifyRequest, name: string): string =>
  (request.params as Record<string, string>)[name] ?? '';
