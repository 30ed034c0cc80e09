import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { runCaptured } from '../captured-io';
import { ExitCode } from '../errors';

const POLICY_VERSIONS = '/v1/stacks/shop/environments/production/routing-policy/versions';

/**
 * A stand-in for the list endpoints: rollouts and policy versions answer a plain array of at most
 * `limit` items (50 by default, as the API's LimitQueryDto), series a page with a cursor.
 */
describe('get on lists with and without paging', () => {
  let server: Server;
  let api: string;
  let held = 0;
  const requests: string[] = [];
  const run = (argv: string[]) => runCaptured([...argv, '-o', 'json'], { STRATA_API: api, STRATA_TOKEN: 'strata_cli-test', HOME: '/nonexistent' });

  const answer = (url: URL): unknown => {
    const limit = Number(url.searchParams.get('limit') ?? 50);
    const items = Array.from({ length: held }, (_, index) => ({ id: String(index + 1), version: index + 1 }));
    if (url.pathname !== '/v1/series') return items.slice(0, limit);
    const after = Number(url.searchParams.get('after') ?? 0);
    const page = items.slice(after, after + limit);
    return { items: page, nextCursor: after + limit < held ? String(after + limit) : null };
  };

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      requests.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer(new URL(request.url ?? '/', 'http://stub'))));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    requests.length = 0;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('get rollouts --limit 1 --all asks for the most a request gives (no page to follow) and prints every rollout', async () => {
    held = 2;
    const { code, stdout, stderr } = await run(['get', 'rollouts', '--limit', '1', '--all']);
    expect({ code, stderr }).toEqual({ code: ExitCode.ok, stderr: '' });
    expect(requests).toEqual(['/v1/rollouts?limit=500']);
    expect((JSON.parse(stdout) as unknown[]).map((item) => (item as { id: string }).id)).toEqual(['1', '2']);
  });

  it.each([
    ['rollouts', ['get', 'rollouts', '--all'], '/v1/rollouts?limit=500'],
    ['policies', ['get', 'policies', '--stack', 'shop', '-e', 'production', '--all'], `${POLICY_VERSIONS}?limit=500`],
  ])('get %s --all says on stderr that the list may be cut when the answer is as long as the limit', async (kind, argv, url) => {
    held = 501;
    const { code, stdout, stderr } = await run(argv);
    expect(code).toBe(ExitCode.ok);
    expect(requests).toEqual([url]);
    expect(JSON.parse(stdout)).toHaveLength(500);
    expect(stderr).toBe(`the list may be cut at 500: ${kind} has no paging, and the API answers at most 500 at once\n`);
  });

  it('get rollouts without --all asks for --limit and says nothing: the user chose the cut', async () => {
    held = 3;
    const { stdout, stderr } = await run(['get', 'rollouts', '--limit', '1']);
    expect(requests).toEqual(['/v1/rollouts?limit=1']);
    expect(JSON.parse(stdout)).toHaveLength(1);
    expect(stderr).toBe('');
  });

  it('get series --limit 2 --all follows every page at --limit a page, with no note', async () => {
    held = 5;
    const { stdout, stderr } = await run(['get', 'series', '--limit', '2', '--all']);
    expect(requests).toEqual(['/v1/series?limit=2', '/v1/series?limit=2&after=2', '/v1/series?limit=2&after=4']);
    expect(JSON.parse(stdout)).toHaveLength(5);
    expect(stderr).toBe('');
  });
});
