import { Readable } from 'node:stream';
import { ApiError, UnreachableError } from './api-client';
import { CliError } from './errors';
import { CliIo } from './io';
import { OUTAGE_BUDGET_MS, watchUntilDone } from './watch';

const API = 'http://127.0.0.1:8080';

/** A watch's IO on a test clock that only `sleep` moves; what it writes and how long it slept. */
function testIo(tty = false) {
  const written = { stdout: '', stderr: '', sleeps: [] as number[] };
  let clock = 0;
  const io: CliIo = {
    stdout: { write: (text: string) => (written.stdout += text), isTTY: tty, columns: 200 },
    stderr: { write: (text: string) => (written.stderr += text), isTTY: tty },
    stdin: Readable.from([]),
    env: {},
    cwd: '/',
    sleep: async (ms) => {
      written.sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
  };
  return { io, written };
}

/** Answers each poll from the script in turn: a frame, or an error to throw; the last one forever. */
function scripted(...answers: (string | Error)[]) {
  let polls = 0;
  return async () => {
    const answer = answers[Math.min(polls++, answers.length - 1)];
    if (answer instanceof Error) throw answer;
    return answer;
  };
}

const refused = () => new UnreachableError(API, 'ECONNREFUSED');
const watch = (io: CliIo, poll: () => Promise<string>, reachable = false) =>
  watchUntilDone({ io, intervalMs: 1000, poll, render: (frame) => `${frame}\n`, done: (frame) => frame === 'succeeded', again: 'strata execution watch e-1', reachable });

describe(watchUntilDone.name, () => {
  it('rides out an API that stops answering, backing off, and says once that it is reconnecting', async () => {
    const { io, written } = testIo();
    await expect(watch(io, scripted('running', refused(), refused(), refused(), 'succeeded'))).resolves.toBe('succeeded');
    expect(written.sleeps).toEqual([1000, 250, 500, 1000]);
    expect(written.stderr).toBe(`Strata at ${API} is not answering (ECONNREFUSED): reconnecting for up to 30 s\n`);
    expect(written.stdout).toBe('running\n\nsucceeded\n');
  });

  it('gives up once the API has been away for the whole budget, naming its URL and how to follow again', async () => {
    const { io, written } = testIo();
    const watched = watch(io, scripted('running', refused()));
    await expect(watched).rejects.toBeInstanceOf(CliError);
    await expect(watched).rejects.toThrow(
      `Strata at ${API} has not answered for 30 s (ECONNREFUSED); what you watched goes on without the CLI: follow it again with strata execution watch e-1`,
    );
    const [interval, ...backOff] = written.sleeps;
    expect({ interval, waited: backOff.reduce((sum, ms) => sum + ms, 0), longest: Math.max(...backOff) }).toEqual({ interval: 1000, waited: OUTAGE_BUDGET_MS, longest: 4000 });
    expect(written.stderr.split('\n')).toHaveLength(2);
  });

  it('fails at once when the first poll finds no API: a wrong --api is not an outage', async () => {
    const { io, written } = testIo();
    await expect(watch(io, scripted(refused()))).rejects.toBeInstanceOf(UnreachableError);
    expect(written.sleeps).toEqual([]);
  });

  it('does not retry an answer of the API, such as a 404', async () => {
    const { io, written } = testIo();
    const notFound = new ApiError(404, { detail: 'gone' });
    await expect(watch(io, scripted('running', notFound, 'succeeded'))).rejects.toBe(notFound);
    expect(written.sleeps).toEqual([1000]);
  });

  it('rides out 502, 503 and 504 too: a restarting API, or the proxy in front of it, saying it is away', async () => {
    for (const status of [502, 503, 504]) {
      const { io, written } = testIo();
      const away = new ApiError(status, { title: 'Service Unavailable', detail: 'the database is unreachable; retry shortly' });
      await expect(watch(io, scripted('running', away, 'succeeded'))).resolves.toBe('succeeded');
      expect(written.stderr).toMatch(new RegExp(`^Strata is not answering \\(${status} .*\\): reconnecting for up to 30 s\n$`));
    }
  });

  it('rides out an outage at the first poll when the API has just answered the request that started what is watched', async () => {
    const { io, written } = testIo();
    await expect(watch(io, scripted(refused(), 'succeeded'), true)).resolves.toBe('succeeded');
    expect(written.sleeps).toEqual([250]);
  });

  it('on a terminal, the redraw after reconnecting clears the reconnecting note with the frame', async () => {
    const { io, written } = testIo(true);
    await watch(io, scripted('running', refused(), 'running', 'succeeded'));
    // One row of frame and one of note: the same frame is drawn again over both, then the next over the frame alone.
    expect(written.stdout).toBe('running\n\x1b[2A\x1b[0Jrunning\n\x1b[1A\x1b[0Jsucceeded\n');
  });
});
