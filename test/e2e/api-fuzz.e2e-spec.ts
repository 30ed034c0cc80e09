import { formatSummary, fuzzApi } from '../fuzz/support/api-fuzz';
import { FuzzTarget, adminHeaders, fuzzHeaders, startFuzzTarget } from '../fuzz/support/fuzz-target';

/**
 * The quick cut of the hostile-input fuzz suite (the full one is `npm run fuzz:api`): every route
 * of the embedded Strata's OpenAPI document, 1,000 seeded hostile requests; never a 5xx, every 4xx
 * problem+json, no row written by a refused request. Before it, one request per class of input
 * that used to be a 500, with the status and field it must get.
 */
describe('hostile input against the embedded Strata', () => {
  let target: FuzzTarget;

  beforeAll(async () => {
    target = await startFuzzTarget();
  }, 180_000);

  afterAll(async () => {
    await target?.stop();
  });

  async function send(method: string, path: string, body?: string, contentType = 'application/json') {
    const response = await fetch(`${target.apiUrl}${path}`, { method, headers: { ...adminHeaders(), ...(body === undefined ? {} : { 'content-type': contentType }) }, body });
    const problem = (await response.json()) as { status: number; errors?: { field: string; message: string }[] };
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return { status: response.status, fields: (problem.errors ?? []).map((error) => error.field), allow: response.headers.get('allow') };
  }

  it('answers each class of hostile input that used to be a 500 with its 4xx, naming the field', async () => {
    expect(await send('POST', '/v1/stacks', `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`)).toMatchObject({ status: 422, fields: ['body.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a'] });
    expect(await send('POST', '/v1/stacks', '{"name":"a\\u0000","environments":[{"name":"\\ud800"}]}')).toMatchObject({ status: 422, fields: expect.arrayContaining(['body.name', 'body.environments[0].name']) });
    expect(await send('GET', '/v1/stacks/a%00b')).toMatchObject({ status: 422, fields: ['path.stack'] });
    expect(await send('GET', '/v1/stacks?after=%00')).toMatchObject({ status: 422, fields: ['query.after'] });
    expect(await send('GET', '/v1/stacks?limit=99999999999999999999')).toMatchObject({ status: 422, fields: ['limit'] });
    expect(await send('GET', '/v1/stacks/%ED%A0%80')).toMatchObject({ status: 422, fields: ['path.stack'] });
    expect(await send('POST', '/v1/stacks', '{"name":"a","name":"b","environments":[]}')).toMatchObject({ status: 422, fields: ['body.name'] });
    expect((await send('POST', '/v1/stacks', '{"name":"a","environments":[]}', 'application/xml')).status).toBe(415);
    expect(await send('PATCH', '/v1/stacks')).toMatchObject({ status: 405, allow: 'GET, HEAD, POST' });
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]', ...'bcdefghi'.split('').map((name, index) => `${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[index]}`).join(',')}]`)].join('\n');
    expect(await send('POST', '/v1/apply', bomb, 'application/yaml')).toMatchObject({ status: 422, fields: ['documents[0]'] });
    expect(await send('POST', '/v1/apply', 'kind: Stack\nmetadata: { name: *nowhere }\n', 'application/yaml')).toMatchObject({ status: 422, fields: ['documents[0]'] });
    expect(await send('POST', '/v1/apply', 'apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: "x\\0" }\n', 'application/yaml')).toMatchObject({ status: 422, fields: ['documents[0].metadata.name'] });
  });

  it('never answers 5xx to 1,000 seeded hostile requests over every route, and refused requests write nothing', async () => {
    const summary = await fuzzApi({ apiUrl: target.apiUrl, databaseUrl: target.databaseUrl, requests: 1_000, seed: 20_261_207, headers: fuzzHeaders, writeHeaders: adminHeaders });
    process.stdout.write(`${formatSummary(summary)}\n`);
    expect(summary.sent).toBe(1_000);
    expect(summary.routes).toBeGreaterThan(50);
    expect(summary.serverErrors).toEqual([]);
    expect(summary.notProblemJson).toEqual([]);
    expect(summary.rowChanges).toEqual([]);
    expect(summary.wrongField).toEqual([]);
    expect(summary.unaudited).toEqual([]);
    // One request in 50 is a valid stack creation: each must be accepted and leave its one audit row.
    expect(summary.audited).toBeGreaterThanOrEqual(20);
    // The rotation of fuzzHeaders: a quarter of the requests without a valid token, all refused by the guard.
    expect(summary.statuses[401]).toBeGreaterThanOrEqual(100);
  }, 180_000);
});
