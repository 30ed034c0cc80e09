import { Body, Controller, Get, INestApplication, Module, Param, Post, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { IntegerParamPipe } from './integer-param.pipe';
import { INVALID_REQUEST_RESPONSE, completeOpenApiDocument, operationsRefusingInput, summaryOfOperationId } from './openapi-completeness';
import { PageQueryDto } from './page-query.dto';
import { UuidParamDto } from './uuid-param.dto';

class NoteDto {
  text!: string;
}

@Controller('notes')
class NotesController {
  @Post() create(@Body() body: NoteDto): NoteDto {
    return body;
  }
  @Get() list(@Query() query: PageQueryDto): PageQueryDto {
    return query;
  }
  @Get(':id') get(@Param() { id }: UuidParamDto): string {
    return id;
  }
  @Get('by-version/:version') version(@Param('version', new IntegerParamPipe()) version: number): number {
    return version;
  }
  @Get('by-name/:name') named(@Param('name') name: string, @Query('tag') tag: string): string {
    return `${name}${tag}`;
  }
  @Get('count') count(): number {
    return 0;
  }
}

@Module({ controllers: [NotesController] })
class NotesModule {}

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
          responses: { '200': { description: 'Set' } },
        },
      },
      '/v1/notes/{id}': { get: { operationId: 'NotesController_get', responses: { '200': { description: 'A note' } } } },
      '/v1/samples': { post: { operationId: 'SamplesController_ingest', responses: { '200': { description: 'Stored' }, '400': { description: 'Malformed batch' } } } },
    },
  });
  const none: ReadonlySet<string> = new Set();

  it('names an operation without a summary after its operation id', () => {
    expect(summaryOfOperationId('VersionMapController_setStatus')).toBe('Version map: set status');
    const sut = document();
    completeOpenApiDocument(sut, none);
    expect(sut.paths['/health']?.get?.summary).toBe('Health: ready');
    expect(sut.paths['/v1/maps/{stack}/{location}']?.put?.summary).toBe('Sets a status');
  });

  it('declares the path parameters the decorators left out, and marks routes without a bearer requirement public', () => {
    const sut = document();
    completeOpenApiDocument(sut, none);
    expect(sut.paths['/v1/maps/{stack}/{location}']?.put?.parameters).toEqual([
      { name: 'stack', in: 'path', required: true, schema: { type: 'string', maxLength: 63 } },
      { name: 'location', in: 'path', required: true, schema: { type: 'string', maxLength: 256 } },
    ]);
    expect(sut.paths['/v1/maps/{stack}/{location}']?.put?.security).toEqual([{ bearer: [] }]);
    expect(sut.paths['/health']?.get?.security).toEqual([]);
  });

  it('lists the 400 of every POST, PUT or PATCH and of every operation refusing input, keeps a 400 its controller describes, and adds none elsewhere', () => {
    const sut = document();
    completeOpenApiDocument(sut, new Set(['NotesController_get', 'SamplesController_ingest']));
    expect(Object.keys(sut.paths['/v1/notes/{id}']?.get?.responses ?? {})).toEqual(['200', '400']);
    expect(sut.paths['/v1/notes/{id}']?.get?.responses['400']).toEqual(INVALID_REQUEST_RESPONSE);
    expect(sut.paths['/v1/maps/{stack}/{location}']?.put?.responses['400']).toEqual(INVALID_REQUEST_RESPONSE);
    expect(sut.paths['/v1/samples']?.post?.responses['400']).toEqual({ description: 'Malformed batch' });
    expect(sut.paths['/health']?.get?.responses).toEqual({});
  });
});

describe(operationsRefusingInput.name, () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await NestFactory.create(NotesModule, { logger: false });
  });

  afterAll(async () => {
    await app.close();
  });

  it('is every operation taking a body, a DTO of query or path parameters, or a parameter with a pipe; a plain string is not refused', () => {
    expect([...operationsRefusingInput(app)].sort()).toEqual(['NotesController_create', 'NotesController_get', 'NotesController_list', 'NotesController_version']);
  });
});
