import { INestApplication, PipeTransform, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';

/** One argument of a route handler, as Nest's decorators recorded it (`@Body()`, `@Query()`, `@Param('id', pipe)`…). */
export interface RouteArgument {
  /** `Controller_method`: the operation id @nestjs/swagger gives the route. */
  operationId: string;
  /** NaN for a custom decorator's argument (`@Principal()`). */
  source: RouteParamtypes;
  /** The name a `@Param('id')` or `@Query('name')` picks out; undefined for the whole object. */
  data: unknown;
  /** The declared type (`design:paramtypes`), a DTO class or a primitive's constructor. */
  type: Type<unknown> | undefined;
  pipes: readonly (Type<PipeTransform> | PipeTransform)[];
}

/** Every argument of every controller's handlers in the app. */
export function routeArguments(app: INestApplication): RouteArgument[] {
  const found: RouteArgument[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown> | undefined;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { index: number; data?: unknown; pipes?: RouteArgument['pipes'] }>;
        const types = (Reflect.getMetadata('design:paramtypes', prototype, name) ?? []) as Type<unknown>[];
        for (const [key, argument] of Object.entries(args)) {
          found.push({ operationId: `${controller.name}_${name}`, source: Number(key.split(':')[0]), data: argument.data, type: types[argument.index], pipes: argument.pipes ?? [] });
        }
      }
    }
  }
  return found;
}
