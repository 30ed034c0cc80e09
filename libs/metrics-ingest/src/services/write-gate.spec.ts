import { DomainErrorCode } from '@strata/domain';
import { WriteGate } from './write-gate';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe(WriteGate.name, () => {
  it('runs at most `concurrency` writes at once, queues the next and refuses beyond the queue', async () => {
    const sut = new WriteGate(1, 1);
    const first = deferred();
    const started: string[] = [];
    const running = sut.run(async () => {
      started.push('first');
      await first.promise;
    });
    const queued = sut.run(async () => void started.push('second'));
    await expect(sut.run(async () => undefined)).rejects.toEqual(expect.objectContaining({ code: DomainErrorCode.Unavailable }));
    expect(started).toEqual(['first']);
    expect(sut.queued).toBe(1);
    first.resolve();
    await Promise.all([running, queued]);
    expect(started).toEqual(['first', 'second']);
    await expect(sut.run(async () => 'free again')).resolves.toBe('free again');
  });

  it('frees its slot when a write fails', async () => {
    const sut = new WriteGate(1, 0);
    await expect(sut.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(sut.run(async () => 1)).resolves.toBe(1);
  });
});
