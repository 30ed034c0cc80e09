import type { OpenAPIObject } from '@nestjs/swagger';
import { completeOpenApiDocument, summaryOfOperationId } from './openapi-completeness';

describe(completeOpenApiDocument.name, () => {
  const document = (): OpenAPIObject => ({
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/health': { get: { operationId: 'HealthController_ready', responses: {} } },
      '/v1/maps/{stack}/{location}': {
        put: {
          operationId: 'VersionMapController_setStatus',
          summary: 'Sets a status',
          security: [{ bearer: [] }],
          parameters: [{ name: 'stack', in: 'path', required: true, schema: { type: 'string', maxLength: 63 } }],
          responses: {},
        },
      },
    },
  });

  it('names an operation without a summary after its operation id', () => {
    expect(summaryOfOperationId('VersionMapController_setStatus')).toBe('Version map: set status');
    const sut = document();
    completeOpenApiDocument(sut);
    expect(sut.paths['/health']?.get?.summary).toBe('Health: ready');
    expect(sut.paths['/v1/maps/{stack}/{location}']?.put?.summary).toBe('Sets a status');
  });

  it('declares the path parameters the decorators left out, and marks routes without a bearer requirement public', () => {
    const sut = document();
    completeOpenApiDocument(sut);
    expect(sut.paths['/v1/maps/{stack}/{location}']?.put?.parameters).toEqual([
      { name: 'stack', in: 'path', required: true, schema: { type: 'string', maxLength: 63 } },
      { name: 'location', in: 'path', required: true, schema: { type: 'string', maxLength: 256 } },
    ]);
    expect(sut.paths['/v1/maps/{stack}/{location}']?.put?.security).toEqual([{ bearer: [] }]);
    expect(sut.paths['/health']?.get?.security).toEqual([]);
  });
});
