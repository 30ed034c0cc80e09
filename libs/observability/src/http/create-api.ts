import { INestApplication, Type } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AuditInterceptor } from '../audit/audit.interceptor';
import { AuditTrail } from '../audit/audit-trail';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { ApiAuth } from '../auth/token-verification';
import { NestJsonLogger } from '../logging/json-logger';
import { httpMetricsMiddleware } from '../metrics/metrics';
import { correlationMiddleware } from './correlation.middleware';
import { ProblemDetailsFilter } from './problem-details.filter';
import { InputGuardPipe } from './input-guard.pipe';
import { completeOpenApiDocument, operationsRefusingInput } from './openapi-completeness';
import { documentValidationConstraints } from './openapi-constraints';
import { verifyJsonBody } from './json-body';
import { methodNotAllowedMiddleware, unsupportedMediaTypeMiddleware } from './request-shape.middleware';
import { createValidationPipe } from './request-validation';

type DynamicModuleLike = Parameters<typeof NestFactory.create>[0];

export interface ApiOptions {
  title: string;
  description: string;
  version: string;
  /** Largest accepted JSON body; manifests and sample batches need more than express' 100 kB. */
  bodyLimit?: string;
  /** How bearer tokens are verified: every route but @Public() ones needs one. */
  auth: ApiAuth;
}

/**
 * Builds a management API the same way for a single service and for the all-in-one process:
 * JSON logs, correlation ids, bearer-token auth, validation, an audit row per accepted write,
 * problem+json errors, metrics and Swagger at /docs.
 */
export async function createApi(rootModule: Type<unknown> | DynamicModuleLike, options: ApiOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule, {
    logger: new NestJsonLogger(),
    // Service modules are told apart by reference: each brings its own DataSource and outbox.
    moduleIdGeneratorAlgorithm: 'reference',
    bodyParser: false,
  });
  app.use(correlationMiddleware, httpMetricsMiddleware, unsupportedMediaTypeMiddleware);
  // verify: nesting deeper than MAX_JSON_DEPTH and duplicate keys are refused (422) before parsing.
  app.useBodyParser('json', { limit: options.bodyLimit ?? '5mb', type: ['application/json', 'application/*+json'], verify: verifyJsonBody });
  app.useBodyParser('text', { limit: options.bodyLimit ?? '5mb', type: ['text/plain', 'application/yaml', 'application/x-yaml'] });
  app.useGlobalPipes(new InputGuardPipe(), createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  const { lookup } = options.auth;
  app.useGlobalGuards(new BearerAuthGuard(app.get(Reflector), options.auth.configured, lookup ? () => lookup(app) : undefined));
  app.useGlobalInterceptors(new AuditInterceptor(app.get(AuditTrail)));
  app.disable('x-powered-by');

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion(options.version).setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0').addServer('/', 'The origin serving this document').addBearerAuth().build(),
  );
  documentValidationConstraints(app, document);
  completeOpenApiDocument(document, operationsRefusingInput(app));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  // Registered before the routes (they are added at init), so an unknown method on a known path is a 405, not a 404.
  app.use(methodNotAllowedMiddleware(document.paths as Record<string, Record<string, unknown>>));
  return app;
}
