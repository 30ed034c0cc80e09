import { INestApplication } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ParameterObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { MAX_PATH_PARAMETER_LENGTH } from './input-guard.pipe';
import { RouteArgument, routeArguments } from './openapi-route-arguments';

/** The 400 every operation refusing input lists, unless its controller describes its own. */
export const INVALID_REQUEST_RESPONSE = {
  description: 'Unreadable JSON, or a parameter or body field of the wrong type or shape (problem+json; errors[].field names each)',
} as const;

/** The body parser reads these methods' bodies whatever the handler takes: unreadable JSON is a 400 on each. */
const BODY_METHODS: ReadonlySet<string> = new Set(['post', 'put', 'patch']);

/** Types the global ValidationPipe passes through unvalidated (its `toValidate`): only a DTO class is checked. */
const UNVALIDATED_TYPES: readonly unknown[] = [String, Number, Boolean, Array, Object, Buffer, Date];

/**
 * Whether an argument can be refused with a 400: any body (unreadable JSON is one), a DTO of
 * query or path parameters, or a parameter with its own pipe (IntegerParamPipe). A plain
 * `@Param('stack') stack: string` cannot: the ValidationPipe passes it through, and InputGuardPipe
 * refuses with a 422.
 */
function refusesInput({ source, type, pipes }: RouteArgument): boolean {
  if (source === RouteParamtypes.BODY) return true;
  if (source !== RouteParamtypes.QUERY && source !== RouteParamtypes.PARAM) return false;
  return pipes.length > 0 || (type !== undefined && !UNVALIDATED_TYPES.includes(type));
}

/** The operation ids (`Controller_method`) whose input can be refused with a 400. */
export function operationsRefusingInput(app: INestApplication): ReadonlySet<string> {
  return new Set(routeArguments(app).filter(refusesInput).map((argument) => argument.operationId));
}

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
 * `security: []` on the public routes, since every other route gets its bearer requirement
 * from @RequireRole and a route with neither is refused at start, and the 400 of every operation
 * whose input can be refused (a POST, PUT or PATCH, or one in `refusingInput`), so no controller
 * has to remember it.
 */
export function completeOpenApiDocument(document: OpenAPIObject, refusingInput: ReadonlySet<string>): void {
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
      if (BODY_METHODS.has(method) || (operation.operationId && refusingInput.has(operation.operationId))) operation.responses['400'] ??= { ...INVALID_REQUEST_RESPONSE };
    }
  }
}
