import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ParameterObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { MAX_PATH_PARAMETER_LENGTH } from './input-guard.pipe';

const words = (identifier: string) => identifier.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/** `VersionMapController_setStatus` → `Version map: set status`. */
export function summaryOfOperationId(operationId: string): string {
  const [controller = '', handler = ''] = operationId.split('_');
  const subject = words(controller.replace(/Controller$/, ''));
  return `${subject.charAt(0).toUpperCase()}${subject.slice(1)}: ${words(handler)}`;
}

/**
 * What the decorators leave out and a linter or a client generator needs (redocly's recommended
 * rules): a summary on every operation (its operation id in words, where none was written), every
 * path parameter declared (@nestjs/swagger drops a @Param that has a pipe, such as ParseEnumPipe),
 * and `security: []` on the public routes, since every other route gets its bearer requirement
 * from @RequireRole and a route with neither is refused at start.
 */
export function completeOpenApiDocument(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    const templated = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const) {
      const operation = item[method] as OperationObject | undefined;
      if (!operation) continue;
      if (!operation.summary && operation.operationId) operation.summary = summaryOfOperationId(operation.operationId);
      operation.security ??= [];
      const parameters = (operation.parameters ?? []) as ParameterObject[];
      for (const name of templated.filter((parameter) => !parameters.some((declared) => declared.in === 'path' && declared.name === parameter))) {
        parameters.push({ name, in: 'path', required: true, schema: { type: 'string', maxLength: MAX_PATH_PARAMETER_LENGTH } });
      }
      operation.parameters = parameters;
    }
  }
}
