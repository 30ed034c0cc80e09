import { INestApplication, Type } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { ParameterObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { MAX_PATH_PARAMETER_LENGTH, MAX_QUERY_VALUE_LENGTH } from './input-guard.pipe';
import { routeArguments } from './openapi-route-arguments';

/**
 * The OpenAPI document states the limits the validation enforces, read from the same DTO
 * decorators (class-validator), so the two cannot drift: a `@MaxLength(63)` is `maxLength: 63`,
 * `@ArrayMaxSize(100)` is `maxItems: 100`, `@Min`/`@Max` are `minimum`/`maximum`, `@IsInt` is
 * `integer`. Path and query strings get the limits InputGuardPipe enforces on every route.
 */
export function documentValidationConstraints(app: INestApplication, document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaObject>;
  for (const target of validatedClasses()) {
    const schema = schemas[target.name];
    if (schema?.properties) {
      applyConstraints(schema, target);
    }
  }
  const queryClasses = queryDtoByOperation(app);
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations) as { operationId?: string; parameters?: ParameterObject[] }[]) {
      const queryClass = operation.operationId ? queryClasses.get(operation.operationId) : undefined;
      for (const parameter of operation.parameters ?? []) {
        const schema = (parameter.schema ?? {}) as SchemaObject;
        if (parameter.in === 'query' && queryClass) {
          applyPropertyConstraints(schema, metadataOf(queryClass).filter((metadata) => metadata.propertyName === parameter.name));
        }
        if ((parameter.in === 'path' || parameter.in === 'query') && (schema.type === 'string' || schema.type === undefined) && !schema.enum && !schema.format) {
          schema.type ??= 'string';
          const limit = parameter.in === 'path' ? MAX_PATH_PARAMETER_LENGTH : MAX_QUERY_VALUE_LENGTH;
          schema.maxLength = Math.min(schema.maxLength ?? limit, limit);
        }
        parameter.schema = schema;
      }
    }
  }
}

function validatedClasses(): Type<unknown>[] {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Type<unknown>, ValidationMetadata[]> };
  return [...storage.validationMetadatas.keys()].filter((target): target is Type<unknown> => typeof target === 'function');
}

function metadataOf(target: Type<unknown>): ValidationMetadata[] {
  return getMetadataStorage().getTargetValidationMetadatas(target, '', true, false);
}

function applyConstraints(schema: SchemaObject, target: Type<unknown>): void {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const metadata of metadataOf(target)) {
    byProperty.set(metadata.propertyName, [...(byProperty.get(metadata.propertyName) ?? []), metadata]);
  }
  for (const [name, metadata] of byProperty) {
    const property = schema.properties?.[name] as SchemaObject | undefined;
    if (property && !('$ref' in property)) {
      applyPropertyConstraints(property, metadata);
    }
  }
}

/** Constraints with `each: true` describe the items of an array (or the values of a map). */
function applyPropertyConstraints(property: SchemaObject, metadata: readonly ValidationMetadata[]): void {
  for (const rule of metadata) {
    const items = property.type === 'array' && property.items && !('$ref' in property.items) ? (property.items as SchemaObject) : undefined;
    const onto = rule.each ? (items ?? property) : property;
    const [first, second] = (rule.constraints ?? []) as unknown[];
    switch (rule.name) {
      case 'maxLength':
        onto.maxLength = first as number;
        break;
      case 'minLength':
        onto.minLength = first as number;
        break;
      case 'length':
        onto.minLength = first as number;
        if (typeof second === 'number') onto.maxLength = second;
        break;
      case 'min':
        onto.minimum = first as number;
        break;
      case 'max':
        onto.maximum = first as number;
        break;
      case 'isInt':
        onto.type = 'integer';
        break;
      case 'arrayMaxSize':
        property.maxItems = first as number;
        break;
      case 'arrayMinSize':
        property.minItems = first as number;
        break;
      case 'matches':
        onto.pattern ??= (first as RegExp).source;
        break;
      case 'isIn':
        onto.enum ??= [...(first as unknown[])];
        break;
    }
  }
}

/** `Controller_method` (the operation ids @nestjs/swagger gives) → the DTO class of its @Query(). */
function queryDtoByOperation(app: INestApplication): Map<string, Type<unknown>> {
  const found = new Map<string, Type<unknown>>();
  for (const { operationId, source, data, type } of routeArguments(app)) {
    if (source === RouteParamtypes.QUERY && data === undefined && type) {
      found.set(operationId, type);
    }
  }
  return found;
}
