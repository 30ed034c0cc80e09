import 'reflect-metadata';
import { Parser } from '@asyncapi/parser';
import { EventCatalog } from '@strata/contracts';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { ASYNCAPI_DOCUMENT_PATH, buildAsyncApiDocument } from './asyncapi-document';
import { OPENAPI_DOCUMENT_PATH, buildOpenApiDocument } from './openapi-document';
import { serializeDocument } from './serialize';
import { staleParts } from './staleness';

const ROOT = resolve(__dirname, '../../../..');
const REGENERATE = 'the committed document is stale: run `npm run docs:api` and commit apps/strata/docs';

const committed = async (path: string) => JSON.parse(await readFile(join(ROOT, path), 'utf8')) as Record<string, unknown>;

interface RedoclyProblem {
  severity: 'error' | 'warn';
  ruleId: string;
  message: string;
  location: { pointer: string }[];
}

interface Operation {
  requestBody?: unknown;
  parameters?: { in: string; schema?: { type?: string; format?: string } }[];
  responses: Record<string, unknown>;
}

/** `redocly lint` of a document, offline (no telemetry, no update check). */
async function redoclyErrors(document: Record<string, unknown>): Promise<string[]> {
  const directory = await mkdtemp(join(tmpdir(), 'strata-openapi-'));
  try {
    const file = join(directory, 'openapi.json');
    await writeFile(file, serializeDocument(document));
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
    const output = await promisify(execFile)(join(ROOT, 'node_modules/.bin/redocly'), ['lint', file, '--format=json'], { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
    );
    const { problems } = JSON.parse(output.stdout) as { problems: RedoclyProblem[] };
    return problems.filter((problem) => problem.severity === 'error').map((problem) => `${problem.ruleId} ${problem.location[0]?.pointer}: ${problem.message}`);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

describe('the API documents', () => {
  let openapi: Record<string, unknown>;

  beforeAll(async () => {
    openapi = await buildOpenApiDocument();
  });

  describe('OpenAPI (the management API of every service, merged)', () => {
    it('is the committed apps/strata/docs/openapi.json', async () => {
      expect({ stale: staleParts(await committed(OPENAPI_DOCUMENT_PATH), openapi, ['paths', 'components.schemas']), fix: REGENERATE }).toEqual({ stale: [], fix: REGENERATE });
      expect(await readFile(join(ROOT, OPENAPI_DOCUMENT_PATH), 'utf8')).toBe(serializeDocument(openapi));
    });

    it('passes redocly lint with no error, where a route with an undeclared path parameter fails it', async () => {
      expect(await redoclyErrors(openapi)).toEqual([]);
      const broken = { ...openapi, paths: { '/v1/things/{thing}': { get: { summary: 'A thing', security: [], responses: { '200': { description: 'ok' }, '404': { description: 'no' } } } } } };
      expect(await redoclyErrors(broken)).toEqual([expect.stringMatching(/^path-parameters-defined /)]);
    });

    it('lists a 400 on every operation that can answer one: a POST, PUT or PATCH, a query, a body, or a typed path parameter', () => {
      const refusable = (method: string, operation: Operation) =>
        ['post', 'put', 'patch'].includes(method) ||
        operation.requestBody !== undefined ||
        (operation.parameters ?? []).some((parameter) => parameter.in === 'query' || (parameter.in === 'path' && (parameter.schema?.format !== undefined || parameter.schema?.type !== 'string')));
      const paths = openapi['paths'] as Record<string, Record<string, Operation>>;
      const missing = Object.entries(paths).flatMap(([path, item]) =>
        Object.entries(item)
          .filter(([method, operation]) => refusable(method, operation) && !operation.responses['400'])
          .map(([method]) => `${method.toUpperCase()} ${path}`),
      );
      expect(missing).toEqual([]);
    });

    it('names what a changed route changed, so the staleness check is live', () => {
      const paths = { ...(openapi['paths'] as Record<string, unknown>) };
      delete paths['/v1/stacks'];
      paths['/v1/stacks/{stack}/frobnicate'] = { post: { responses: {} } };
      expect(staleParts(openapi, { ...openapi, paths }, ['paths', 'components.schemas'])).toEqual(['paths./v1/stacks (removed)', 'paths./v1/stacks/{stack}/frobnicate (added)']);
    });
  });

  describe('AsyncAPI (every topic and CloudEvents type)', () => {
    const asyncapi = buildAsyncApiDocument();

    it('is the committed apps/strata/docs/asyncapi.json', async () => {
      expect({ stale: staleParts(await committed(ASYNCAPI_DOCUMENT_PATH), asyncapi, ['channels', 'operations', 'components.messages']), fix: REGENERATE }).toEqual({ stale: [], fix: REGENERATE });
      expect(await readFile(join(ROOT, ASYNCAPI_DOCUMENT_PATH), 'utf8')).toBe(serializeDocument(asyncapi));
    });

    it('is a valid AsyncAPI 3 document to @asyncapi/parser, without errors or warnings', async () => {
      const { document, diagnostics } = await new Parser().parse(serializeDocument(asyncapi));
      expect(diagnostics.filter((diagnostic) => diagnostic.severity <= 1).map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`)).toEqual([]);
      expect(document?.version()).toBe('3.1.0');
      const messages = document?.allMessages().all().map((message) => message.id()) ?? [];
      expect(messages).toEqual(expect.arrayContaining(['io.strata.registry.stack.created.v1', 'io.strata.kpi.window.v1', 'dead-letter']));
    });

    it('describes each event type with its topic and its data schema from the catalog', () => {
      const channel = (asyncapi['channels'] as Record<string, { address: string; messages: Record<string, unknown> }>)['routing-events'];
      expect(channel?.address).toBe('{prefix}routing.events');
      expect(Object.keys(channel?.messages ?? {})).toContain('io.strata.routing.rollout.transitioned.v1');
      const message = (asyncapi['components'] as { messages: Record<string, { payload: { properties: Record<string, Record<string, unknown>> } }> }).messages['io.strata.routing.rollout.transitioned.v1'];
      expect(message?.payload.properties['type']).toEqual({ type: 'string', const: 'io.strata.routing.rollout.transitioned.v1' });
      const shape = (EventCatalog['io.strata.routing.rollout.transitioned.v1'].schema as unknown as z.ZodObject).shape;
      expect(Object.keys(message?.payload.properties['data']?.['properties'] ?? {}).sort()).toEqual(Object.keys(shape).sort());
    });
  });
});
