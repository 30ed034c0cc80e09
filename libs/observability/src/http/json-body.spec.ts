import { MAX_JSON_DEPTH, UnprocessableInputException, jsonBodyViolation, verifyJsonBody } from './json-body';

describe(jsonBodyViolation.name, () => {
  const sut = jsonBodyViolation;

  it('accepts ordinary JSON, including keys repeated in different objects and braces inside strings', () => {
    expect(sut('{"a":{"name":1},"b":{"name":2},"list":[{"name":3},{"name":4}],"text":"{[\\"}"}')).toBeUndefined();
  });

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1}, naming where`, () => {
    expect(sut(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).toBeUndefined();
    expect(sut(`{"spec":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`)).toEqual({
      field: `body.spec${'[0]'.repeat(MAX_JSON_DEPTH - 1)}`,
      message: `nests deeper than ${MAX_JSON_DEPTH} levels`,
    });
  });

  it('refuses 100,000 levels in one pass, before anything recursive sees them', () => {
    expect(sut(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`)?.message).toBe(`nests deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it('refuses a duplicate key, also when escaped differently, naming its path', () => {
    expect(sut('{"name":"a","name":"b"}')).toEqual({ field: 'body.name', message: 'is given twice; a JSON object key may appear once' });
    expect(sut('{"env":[{"name":"a"},{"name":"b","n\\u0061me":"c"}]}')).toEqual({ field: 'body.env[1].name', message: 'is given twice; a JSON object key may appear once' });
  });

  it('names the path of a duplicate key deep in arrays and objects, and past the short key list of an object', () => {
    const keys = Array.from({ length: 12 }, (_, index) => `"k${index}":${index}`).join(',');
    expect(sut(`{"batches":[{"samples":[]},{"samples":[{"t":1},{"t":2,"v":1,"t":3}]}]}`)).toEqual({ field: 'body.batches[1].samples[1].t', message: 'is given twice; a JSON object key may appear once' });
    expect(sut(`{"labels":{${keys}}}`)).toBeUndefined();
    expect(sut(`{"labels":{${keys},"k10":0}}`)).toEqual({ field: 'body.labels.k10', message: 'is given twice; a JSON object key may appear once' });
    expect(sut(`[{${keys},"k3":0}]`)).toEqual({ field: 'body[0].k3', message: 'is given twice; a JSON object key may appear once' });
  });

  it('does not mistake values for keys', () => {
    expect(sut('{"a":"x","b":"x","c":["a","a"]}')).toBeUndefined();
  });

  it('leaves malformed text to JSON.parse', () => {
    expect(sut('{"a":')).toBeUndefined();
    expect(sut('"unterminated')).toBeUndefined();
  });
});

describe(verifyJsonBody.name, () => {
  it('reads UTF-8 beyond ASCII as UTF-8: a key written once as characters and once escaped is one key, named as written', () => {
    const verify = (text: string, encoding: string | null = 'utf-8') => () => verifyJsonBody({} as never, {} as never, Buffer.from(text, 'utf8'), encoding);
    expect(verify('{"café":1,"caf\\u00e9":2}')).toThrow('body.café is given twice');
    expect(verify('{"café":1,"cafe":2}')).not.toThrow();
    expect(verify('{"a":1,"a":2}', null)).toThrow('body.a is given twice');
  });

  it('throws a 422 naming the field, which body-parser passes on with its status', () => {
    const verify = () => verifyJsonBody({} as never, {} as never, Buffer.from('{"a":1,"a":2}'), 'utf-8');
    expect(verify).toThrow(UnprocessableInputException);
    try {
      verify();
    } catch (error) {
      expect((error as UnprocessableInputException).getStatus()).toBe(422);
      expect((error as UnprocessableInputException).violations).toEqual([{ field: 'body.a', message: 'is given twice; a JSON object key may appear once' }]);
    }
  });
});
