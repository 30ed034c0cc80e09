import { ApiError } from './api';
import { LiveChange, LiveStatus, RESYNC_TOPIC, followLiveStream } from './live-stream';

const TOKEN = `strata_${'d'.repeat(43)}`;
const CHANGE: LiveChange = { topic: 'routing.events', type: 'io.strata.routing.rollout.transitioned.v1', stack: 'shop', subject: 'shop', time: '2026-12-06T10:00:00.000Z' };

/** A stream the server sends one change on, then ends (as it does once it refuses the token). */
const endedStream = () => new Response(`event: change\ndata: ${JSON.stringify(CHANGE)}\n\n`, { status: 200, headers: { 'content-type': 'text/event-stream' } });
const problem = (status: number, title: string, detail: string) => new Response(JSON.stringify({ status, title, detail }), { status, headers: { 'content-type': 'application/problem+json' } });

/** Follows the stream on answers given in turn (the last one again once they run out) and records what it says. */
async function follow(answers: (() => Response)[], stopAfterCalls = Number.POSITIVE_INFINITY) {
  const stop = new AbortController();
  const seen = { statuses: [] as LiveStatus[], changes: [] as LiveChange[], refused: [] as ApiError[], calls: 0 };
  const fakeFetch = async (_input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    expect(new Headers(init?.headers).get('authorization')).toBe(`Bearer ${TOKEN}`);
    seen.calls += 1;
    if (seen.calls >= stopAfterCalls) stop.abort();
    return (answers[seen.calls - 1] ?? answers[answers.length - 1] ?? endedStream)();
  };
  await followLiveStream(
    TOKEN,
    stop.signal,
    { onStatus: (status) => seen.statuses.push(status), onChange: (change) => seen.changes.push(change), onRefused: (error) => seen.refused.push(error) },
    { fetch: fakeFetch as typeof fetch, delayMs: () => 0 },
  );
  return seen;
}

describe(followLiveStream.name, () => {
  it('shows the stream is no longer live once the server ends it, and stops for good with the refusal when the reconnect answers 401', async () => {
    const sut = await follow([endedStream, () => problem(401, 'Unauthorized', 'the bearer token has been revoked')]);
    expect(sut.statuses).toEqual(['live', 'reconnecting', 'refused']);
    expect(sut.changes).toEqual([CHANGE]);
    expect(sut.refused.map((error) => [error.status, error.message])).toEqual([[401, '401 Unauthorized: the bearer token has been revoked']]);
    expect(sut.calls).toBe(2);
  });

  it('keeps reconnecting, never signing out, while the stream fails otherwise (a registry down answers 502)', async () => {
    const sut = await follow([() => problem(502, 'Bad Gateway', 'the registry does not answer'), endedStream], 3);
    expect(sut.statuses).toEqual(['reconnecting', 'live', 'reconnecting', 'live']);
    expect(sut.refused).toEqual([]);
  });

  it('announces a resync when the stream is live again after an outage, not on its first connection', async () => {
    const sut = await follow([endedStream, () => problem(502, 'Bad Gateway', 'the API restarts'), endedStream], 3);
    expect(sut.changes.map((change) => change.topic)).toEqual([CHANGE.topic, RESYNC_TOPIC, CHANGE.topic]);
  });
});
