import { parseStrataEvent, validateStrataEvent } from './event-validation';

function stackCreated(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: '5b0f3f4e-0d5c-4f43-9a55-0d0d3c1c9e11',
    source: '/strata/registry',
    type: 'io.strata.registry.stack.created.v1',
    time: '2026-11-26T10:00:00.000Z',
    subject: 'checkout',
    datacontenttype: 'application/json',
    data: { stack: 'checkout', environments: [{ name: 'production' }] },
    ...overrides,
  };
}

describe(parseStrataEvent.name, () => {
  it('accepts a valid event', () => {
    const result = parseStrataEvent(Buffer.from(JSON.stringify(stackCreated())));
    expect(result).toEqual({ ok: true, event: stackCreated() });
  });

  it('rejects an empty value', () => {
    expect(parseStrataEvent(null)).toEqual({ ok: false, reason: 'message has no value' });
    expect(parseStrataEvent(Buffer.alloc(0))).toEqual({ ok: false, reason: 'message has no value' });
  });

  it('rejects a value that is not JSON', () => {
    const result = parseStrataEvent('{nope');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^value is not JSON/);
  });
});

describe(validateStrataEvent.name, () => {
  it('names the envelope field that is missing', () => {
    const { id: _id, ...withoutId } = stackCreated();
    const result = validateStrataEvent(withoutId);
    expect(!result.ok && result.reason).toMatch(/^not a CloudEvent: id:/);
  });

  it('refuses a spec version other than 1.0', () => {
    const result = validateStrataEvent(stackCreated({ specversion: '0.3' }));
    expect(!result.ok && result.reason).toMatch(/specversion/);
  });

  it('refuses an unknown type', () => {
    expect(validateStrataEvent(stackCreated({ type: 'io.strata.nope.v1' }))).toEqual({
      ok: false,
      reason: "unknown event type 'io.strata.nope.v1'",
    });
  });

  it('names the data field that is invalid', () => {
    const result = validateStrataEvent(stackCreated({ data: { stack: 'checkout', environments: [] } }));
    expect(!result.ok && result.reason).toMatch(/^invalid data for io.strata.registry.stack.created.v1: data.environments:/);
  });

  it('refuses a time without a zone', () => {
    const result = validateStrataEvent(stackCreated({ time: '2026-11-26 10:00' }));
    expect(!result.ok && result.reason).toMatch(/time/);
  });
});
