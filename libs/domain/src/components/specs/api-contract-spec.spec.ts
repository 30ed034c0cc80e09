import { apiContractSpecViolations } from './api-contract-spec';

const document = { openapi: '3.1.0', info: { title: 'Payments', version: '3.2.0' }, paths: { '/charges': { post: {} } } };

describe(apiContractSpecViolations.name, () => {
  const sut = (spec: unknown) => apiContractSpecViolations(spec, 'spec');

  it('accepts a base URL with an inline OpenAPI 3 document', () => {
    expect(sut({ baseUrl: 'https://payments.example.com/v3', openapi: document })).toEqual([]);
  });

  it.each([
    { openapi: '3.0.3', info: { title: 'T', version: '1' }, paths: {} },
    { openapi: '3.1.0', info: { title: 'T', version: '1' }, webhooks: { paid: {} } },
    { openapi: '3.1.0', info: { title: 'T', version: '1' }, components: { schemas: {} } },
  ])('accepts the OpenAPI document %p', (openapi) => {
    expect(sut({ baseUrl: 'https://payments.example.com', openapi })).toEqual([]);
  });

  it('accepts a reference to the contract file, which the registry keeps as given', () => {
    expect(sut({ baseUrl: 'https://payments.example.com/v3', openapi: { $ref: './payments-openapi-3.2.0.yaml' } })).toEqual([]);
  });

  it.each([[''], ['  '], ['#/components/schemas/Charge'], [42], [null]])('refuses the reference %p', (ref) => {
    expect(sut({ baseUrl: 'https://payments.example.com/v3', openapi: { $ref: ref } })).toEqual([{ field: 'spec.openapi.$ref', message: expect.stringContaining("must name the contract's file") }]);
  });

  it.each([
    [{ ...document, openapi: '2.0' }, 'spec.openapi.openapi'],
    [{ ...document, openapi: 3.1 }, 'spec.openapi.openapi'],
    [{ ...document, info: { title: 'Payments' } }, 'spec.openapi.info.version'],
    [{ ...document, info: 'Payments' }, 'spec.openapi.info'],
    [{ ...document, paths: [] }, 'spec.openapi.paths'],
    [{ openapi: '3.1.0', info: { title: 'T', version: '1' } }, 'spec.openapi.paths'],
  ])('refuses the document %p', (openapi, field) => {
    expect(sut({ baseUrl: 'https://payments.example.com', openapi })).toEqual([{ field, message: expect.any(String) }]);
  });

  it('requires an absolute http(s) base URL without placeholders', () => {
    expect(sut({ baseUrl: 'http://{node}/v3', openapi: document })).toEqual([{ field: 'spec.baseUrl', message: "'http://{node}/v3' must not hold placeholders such as {node}" }]);
    expect(sut({ baseUrl: 'grpc://payments:443', openapi: document })).toEqual([{ field: 'spec.baseUrl', message: expect.stringContaining('must use http or https') }]);
  });

  it('reports missing fields at once', () => {
    expect(sut({})).toEqual([
      { field: 'spec.baseUrl', message: 'must be an absolute http or https URL, got undefined' },
      { field: 'spec.openapi', message: 'must be an object, got undefined' },
    ]);
  });

  it('requires an object', () => {
    expect(sut(null)).toEqual([{ field: 'spec', message: 'must be an object, got null' }]);
  });

  it('refuses unknown fields', () => {
    expect(sut({ baseUrl: 'https://p.example.com', openapi: document, timeout: '2s' })).toEqual([
      { field: 'spec.timeout', message: 'is not a known field; expected one of baseUrl, openapi' },
    ]);
  });
});
