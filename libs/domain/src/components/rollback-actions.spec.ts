import { RollbackAction } from './component-version';
import { isHttpMethod, rollbackActionKind, rollbackViolations } from './rollback-actions';

describe(rollbackViolations.name, () => {
  const sut = rollbackViolations;

  it('accepts every action kind of the example manifest, in order', () => {
    expect(
      sut([
        { sql: { from: 'down' } },
        { sql: { statement: 'DROP INDEX CONCURRENTLY orders_coupon_idx' } },
        { http: { url: 'https://payments.example.com/v3/pin', method: 'POST', expectStatus: 204 } },
        { routing: { restore: 'previous' } },
        { event: { type: 'io.strata.contract.pin-previous.v1' } },
      ]),
    ).toEqual([]);
  });

  it('accepts an empty rollback', () => {
    expect(sut([])).toEqual([]);
  });

  it('requires a list', () => {
    expect(sut({ sql: { from: 'down' } })).toEqual([{ field: 'rollback', message: expect.stringContaining('must be a list of actions') }]);
  });

  it('refuses unknown action kinds', () => {
    expect(sut([{ shell: { command: 'rm -rf /' } }])).toEqual([
      { field: 'rollback[0].shell', message: "'shell' is not a rollback action kind; expected one of sql, http, routing, event" },
    ]);
  });

  it.each([
    [{}, 'none'],
    [{ sql: { from: 'down' }, routing: { restore: 'previous' } }, 'sql, routing'],
  ])('refuses an action holding %p kinds', (action, got) => {
    expect(sut([action])).toEqual([{ field: 'rollback[0]', message: `must hold exactly one action kind (sql, http, routing, event), got ${got}` }]);
  });

  it('refuses actions that are not objects', () => {
    expect(sut(['sql'])).toEqual([{ field: 'rollback[0]', message: expect.stringContaining("got the string 'sql'") }]);
  });

  describe('sql', () => {
    it.each([{}, { from: 'down', statement: 'DROP TABLE x' }])('needs exactly one of from and statement: %p', (body) => {
      expect(sut([{ sql: body }])).toEqual([{ field: 'rollback[0].sql', message: "must hold exactly one of 'from: down' or 'statement'" }]);
    });

    it('runs only the down migration as "from"', () => {
      expect(sut([{ sql: { from: 'up' } }])).toEqual([{ field: 'rollback[0].sql.from', message: expect.stringContaining("got the string 'up'") }]);
    });

    it('refuses a blank statement', () => {
      expect(sut([{ sql: { statement: '  ' } }])).toEqual([{ field: 'rollback[0].sql.statement', message: 'must be a non-blank string, got a blank string' }]);
    });

    it('refuses a body that is not an object', () => {
      expect(sut([{ sql: 'down' }])).toEqual([{ field: 'rollback[0].sql', message: "must be an object, got the string 'down'" }]);
    });
  });

  describe('http', () => {
    it('reports url, method and status problems at once', () => {
      expect(sut([{ http: { url: 'ftp://x/y', method: 'get', expectStatus: 700 } }])).toEqual([
        { field: 'rollback[0].http.url', message: "'ftp://x/y' must use http or https, not ftp" },
        { field: 'rollback[0].http.method', message: expect.stringContaining("got the string 'get'") },
        { field: 'rollback[0].http.expectStatus', message: 'must be an integer from 100 to 599, got number 700' },
      ]);
    });

    it('accepts the {node} placeholder in the url', () => {
      expect(sut([{ http: { url: 'http://{node}/admin/drain', method: 'POST', expectStatus: 200 } }])).toEqual([]);
    });

    it('refuses relative urls and unknown fields', () => {
      expect(sut([{ http: { url: '/drain', method: 'POST', expectStatus: 200, body: '{}' } }])).toEqual([
        { field: 'rollback[0].http.body', message: expect.stringContaining('is not a known field') },
        { field: 'rollback[0].http.url', message: "'/drain' is not an absolute URL" },
      ]);
    });
  });

  describe('routing', () => {
    it('restores only the previous routing', () => {
      expect(sut([{ routing: { restore: 'stable' } }])).toEqual([{ field: 'rollback[0].routing.restore', message: "must be 'previous', got the string 'stable'" }]);
    });
  });

  describe('event', () => {
    it.each(['', 'pin', 'IO.Strata.Pin', 'io strata pin', 42])('refuses the event type %p', (type) => {
      expect(sut([{ event: { type } }])).toEqual([{ field: 'rollback[0].event.type', message: expect.stringContaining('dotted event type') }]);
    });
  });

  it.each(['sql', 'http', 'routing', 'event'])('requires the body of a %s action to be an object', (kind) => {
    expect(sut([{ [kind]: 'previous' }])).toEqual([{ field: `rollback[0].${kind}`, message: "must be an object, got the string 'previous'" }]);
  });

  it('reports the problems of every action at once', () => {
    expect(sut([{ routing: { restore: 'previous' } }, { sql: {} }, { nope: {} }, { event: {} }]).map((violation) => violation.field)).toEqual([
      'rollback[1].sql',
      'rollback[2].nope',
      'rollback[3].event.type',
    ]);
  });
});

describe(rollbackActionKind.name, () => {
  const sut = rollbackActionKind;

  it.each<[RollbackAction, string]>([
    [{ sql: { from: 'down' } }, 'sql'],
    [{ http: { url: 'http://x', method: 'POST', expectStatus: 200 } }, 'http'],
    [{ routing: { restore: 'previous' } }, 'routing'],
    [{ event: { type: 'io.strata.x.v1' } }, 'event'],
  ])('names the kind of %p', (action, kind) => {
    expect(sut(action)).toBe(kind);
  });
});

describe(isHttpMethod.name, () => {
  it('knows methods in capitals only', () => {
    expect([isHttpMethod('PATCH'), isHttpMethod('patch'), isHttpMethod('CONNECT'), isHttpMethod(undefined)]).toEqual([true, false, false, false]);
  });
});
