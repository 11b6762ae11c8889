// /openapi.json describes exactly the routes the server answers: every path of the document
// answers something other than "no such endpoint", every route registered with fastify is in
// the document with a summary, and the document is valid OpenAPI 3.1 in the parts tools read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_SUMMARIES } from '../../server/openapi.js';
import { API_KEY, startTestServer, type TestServer } from '../support/server.js';

interface Operation {
  summary: string;
  parameters: { name: string; schema: Record<string, unknown> }[];
  requestBody?: { content: { 'application/json': { schema: Record<string, unknown> } } };
}

interface OpenApi {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
}

describe('GET /openapi.json', () => {
  let test: TestServer;
  let document: OpenApi;

  beforeAll(async () => {
    test = await startTestServer('pglite');
    const response = await fetch(`${test.url}/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApi;
  });
  afterAll(async () => {
    await test.close();
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );

  it("is OpenAPI 3.1 with the security schemes of Stream's auth", () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual([
      'anonymous',
      'apiKey',
      'authType',
      'jwt',
    ]);
    expect(document.components.schemas['StreamError']).toBeDefined();
  });

  it('lists every route with a summary and its path parameters, and no other', () => {
    const listed = operations().map(
      ({ path, method }) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
    );
    // ROUTE_SUMMARIES is the route table the document's summaries come from: same set.
    expect(listed.sort()).toEqual(Object.keys(ROUTE_SUMMARIES).sort());
    for (const { path, operation } of operations()) {
      expect(operation.summary.length).toBeGreaterThan(10);
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect(operation.parameters.map((parameter) => parameter.name)).toEqual(names);
    }
  });

  it('every documented operation is answered by the server, not "no such endpoint"', async () => {
    const token = await test.admin.createToken('nobody');
    for (const { path, method } of operations()) {
      const concrete = path.replace(/\{(\w+)\}/g, 'x');
      const response = await fetch(`${test.url}${concrete}?api_key=${API_KEY}`, {
        method: method.toUpperCase(),
        headers: { authorization: token },
      });
      const text = await response.text();
      expect(text, `${method} ${path}`).not.toContain('no such endpoint');
    }
  });

  it('gives every route that reads a body the schema the server validates it with', () => {
    const bodiless = operations()
      .filter(
        ({ method, operation }) =>
          method !== 'get' && method !== 'delete' && !operation.requestBody,
      )
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    // Stream's clients send these two with no parameters; everything else declares its body.
    expect(bodiless.sort()).toEqual([
      'POST /api/v2/video/call/{type}/{id}/join',
      'POST /api/v2/video/call/{type}/{id}/mark_ended',
    ]);
    const upsert = document.paths['/api/v2/users']?.['post']?.requestBody;
    const schema = upsert?.content['application/json'].schema;
    expect(schema).toMatchObject({ type: 'object', required: ['users'] });
    const call = document.paths['/api/v2/video/call/{type}/{id}']?.['get'];
    const id = call?.parameters.find((parameter) => parameter.name === 'id');
    expect(id?.schema).toMatchObject({ type: 'string', maxLength: 255, 'x-reason': 'INVALID_ID' });
  });

  it('an undocumented path is "no such endpoint"', async () => {
    const response = await fetch(`${test.url}/api/v2/not-a-route?api_key=${API_KEY}`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('no such endpoint');
  });
});
