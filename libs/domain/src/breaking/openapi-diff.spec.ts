import { breakingOpenApiChanges } from './openapi-diff';

function orders(overrides: { parameters?: unknown[]; requestBody?: unknown; order?: unknown; status?: unknown; extraPaths?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'payments', version: '3.2.0' },
    paths: {
      '/orders/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        get: {
          parameters: overrides.parameters ?? [{ name: 'expand', in: 'query', schema: { type: 'string', enum: ['items', 'customer'] } }],
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } } }, '404': { description: 'missing' } },
        },
        put: {
          requestBody: overrides.requestBody ?? { content: { 'application/json': { schema: { $ref: '#/components/schemas/OrderUpdate' } } } },
          responses: { '204': { description: 'updated' } },
        },
      },
      ...overrides.extraPaths,
    },
    components: {
      schemas: {
        Order: overrides.order ?? {
          type: 'object',
          properties: { id: { type: 'string' }, total: { type: 'number' }, customer: { $ref: '#/components/schemas/Customer' }, lines: { type: 'array', items: { $ref: '#/components/schemas/Line' } } },
        },
        Customer: { type: 'object', properties: { id: { type: 'string' }, email: { type: 'string' } } },
        Line: { type: 'object', properties: { sku: { type: 'string' }, quantity: { type: 'integer' } } },
        OrderUpdate: { type: 'object', required: ['total'], properties: { total: { type: 'number' }, status: overrides.status ?? { type: 'string', enum: ['open', 'paid', 'void'] } } },
      },
    },
  };
}

describe(breakingOpenApiChanges.name, () => {
  const sut = breakingOpenApiChanges;

  it('finds nothing between identical documents', () => {
    expect(sut(orders(), orders())).toEqual([]);
  });

  it('does not count additions as breaks', () => {
    const next = orders({
      parameters: [
        { name: 'expand', in: 'query', schema: { type: 'string', enum: ['items', 'customer', 'refunds'] } },
        { name: 'fields', in: 'query', schema: { type: 'string' } },
      ],
      extraPaths: { '/refunds': { get: { responses: { '200': { description: 'ok' } } } } },
      order: { type: 'object', properties: { id: { type: 'string' }, total: { type: 'number' }, currency: { type: 'string' }, customer: { $ref: '#/components/schemas/Customer' }, lines: { type: 'array', items: { $ref: '#/components/schemas/Line' } } } },
    });
    expect(sut(orders(), next)).toEqual([]);
  });

  it('finds a removed path and a removed operation', () => {
    const previous = orders({ extraPaths: { '/refunds': { get: { responses: {} } } } });
    const next = orders();
    delete (next['paths'] as Record<string, Record<string, unknown>>)['/orders/{id}']!['put'];
    expect(sut(previous, next).map((change) => [change.kind, change.location])).toEqual([
      ['operation-removed', 'PUT /orders/{id}'],
      ['path-removed', '/refunds'],
    ]);
  });

  it('finds a new required parameter', () => {
    const next = orders({ parameters: [{ name: 'expand', in: 'query', schema: { type: 'string', enum: ['items', 'customer'] } }, { name: 'x-tenant', in: 'header', required: true, schema: { type: 'string' } }] });
    expect(sut(orders(), next)).toEqual([{ kind: 'required-parameter-added', location: 'GET /orders/{id}', message: 'parameter header:x-tenant is now required' }]);
  });

  it('finds a parameter that became required', () => {
    const next = orders({ parameters: [{ name: 'expand', in: 'query', required: true, schema: { type: 'string', enum: ['items', 'customer'] } }] });
    expect(sut(orders(), next).map((change) => change.kind)).toEqual(['required-parameter-added']);
  });

  it('finds a narrowed parameter enum', () => {
    const next = orders({ parameters: [{ name: 'expand', in: 'query', schema: { type: 'string', enum: ['items'] } }] });
    expect(sut(orders(), next)).toEqual([{ kind: 'enum-narrowed', location: 'GET /orders/{id}', message: 'parameter query:expand no longer accepts "customer"' }]);
  });

  it('finds a new required request field and a narrowed request enum', () => {
    const next = orders({ status: { type: 'string', enum: ['open', 'paid'] } });
    const schemas = (next['components'] as Record<string, Record<string, Record<string, unknown>>>)['schemas']!;
    schemas['OrderUpdate']!['required'] = ['total', 'status'];
    expect(sut(orders(), next).map((change) => change.message)).toEqual(['request field status is now required', 'status no longer accepts "void"']);
  });

  it('finds a request body that became required', () => {
    const next = orders({ requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/OrderUpdate' } } } } });
    expect(sut(orders(), next).map((change) => change.kind)).toEqual(['request-body-required']);
  });

  it('finds removed response fields, nested and in arrays, through $refs', () => {
    const next = orders({ order: { type: 'object', properties: { id: { type: 'string' }, customer: { type: 'object', properties: { id: { type: 'string' } } }, lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } } } } });
    expect(sut(orders(), next).map((change) => `${change.location}: ${change.message}`)).toEqual([
      'GET /orders/{id} → 200: response field total was removed',
      'GET /orders/{id} → 200: response field customer.email was removed',
      'GET /orders/{id} → 200: response field lines[].quantity was removed',
    ]);
  });

  it('finds a removed success response, ignoring error responses', () => {
    const next = orders();
    const get = (next['paths'] as Record<string, Record<string, Record<string, Record<string, unknown>>>>)['/orders/{id}']!['get']!;
    get['responses'] = { '404': { description: 'missing' } };
    expect(sut(orders(), next).map((change) => change.kind)).toEqual(['response-removed']);
  });

  it('survives recursive schemas', () => {
    const tree = (extra: Record<string, unknown>) => ({
      openapi: '3.1.0',
      paths: { '/nodes': { get: { responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } } } } } },
      components: { schemas: { Node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } }, ...extra } } } },
    });
    expect(sut(tree({ size: { type: 'integer' } }), tree({})).map((change) => change.message)).toEqual(['response field size was removed']);
  });

  it('treats a missing or empty document as having no paths', () => {
    expect(sut(undefined, orders())).toEqual([]);
    expect(sut(orders(), {}).map((change) => change.kind)).toEqual(['path-removed']);
  });
});
