import { runWithCorrelationId, acceptCorrelationId } from './correlation';
import { Logger, captureLogs, setLogLevel, setLogSink } from './json-logger';

describe(Logger.name, () => {
  let lines: string[];
  let restore: () => void;

  beforeEach(() => {
    lines = [];
    restore = setLogSink((line) => lines.push(line));
    setLogLevel('info');
  });

  afterEach(() => restore());

  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  it('writes one JSON object per line with context and fields', () => {
    const sut = new Logger('outbox').child({ service: 'registry' });
    sut.info('published', { count: 3 });
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(entries()).toEqual([
      { time: expect.any(String), level: 'info', context: 'outbox', msg: 'published', service: 'registry', count: 3 },
    ]);
  });

  it('adds the correlation id of the work in progress', () => {
    const sut = new Logger('http');
    runWithCorrelationId('req-42', () => sut.warn('slow'));
    expect(entries()[0]).toMatchObject({ correlationId: 'req-42', level: 'warn' });
  });

  it('drops lines below the level', () => {
    const sut = new Logger('x');
    sut.debug('hidden');
    setLogLevel('debug');
    sut.debug('shown');
    expect(entries().map((entry) => entry['msg'])).toEqual(['shown']);
  });

  it('serialises errors with their stack', () => {
    new Logger('x').error('failed', new TypeError('boom'));
    expect(entries()[0]).toMatchObject({ error: { name: 'TypeError', message: 'boom', stack: expect.any(String) } });
  });
});

describe(acceptCorrelationId.name, () => {
  it('keeps a safe caller id', () => {
    expect(acceptCorrelationId('abc-123')).toBe('abc-123');
    expect(acceptCorrelationId(['first', 'second'])).toBe('first');
  });

  it('replaces missing or unsafe ids with a uuid', () => {
    expect(acceptCorrelationId(undefined)).toMatch(/^[0-9a-f-]{36}$/);
    expect(acceptCorrelationId('evil\nheader')).toMatch(/^[0-9a-f-]{36}$/);
    expect(acceptCorrelationId('x'.repeat(500))).toMatch(/^[0-9a-f-]{36}$/);
  });

});

describe(captureLogs.name, () => {
  it('captures lines at a level until restored, then puts back the sink and the level it found', () => {
    setLogLevel('error');
    const logs = captureLogs('debug');
    new Logger('capture').debug('seen');
    logs.restore();
    const after: string[] = [];
    const restoreSink = setLogSink((line) => void after.push(line));
    new Logger('capture').warn('below the level put back');
    new Logger('capture').error('at it');
    restoreSink();
    expect(logs.lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['seen']);
    expect(after.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['at it']);
  });
});
