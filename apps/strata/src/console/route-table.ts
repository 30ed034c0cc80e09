import { DynamicModule, RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner } from '@nestjs/core';

/** A route as OpenAPI writes it: `GET /v1/stacks/{stack}`. */
export interface Route {
  method: string;
  path: string;
}

export interface OwnedRoute extends Route {
  service: string;
}

type ModuleLike = Type<unknown> | DynamicModule;

const isDynamic = (module: ModuleLike): module is DynamicModule => typeof module === 'object' && 'module' in module;
const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [''] : Array.isArray(value) ? value : [value]);

/** Every controller a module declares, its own and its imports' (a module reached twice is read once). */
function controllersOf(root: ModuleLike, seen = new Set<unknown>()): Type<unknown>[] {
  if (seen.has(root)) return [];
  seen.add(root);
  const moduleClass = isDynamic(root) ? root.module : root;
  const declared = (Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, moduleClass) ?? []) as Type<unknown>[];
  const imports = (Reflect.getMetadata(MODULE_METADATA.IMPORTS, moduleClass) ?? []) as unknown[];
  const dynamic = isDynamic(root) ? { controllers: root.controllers ?? [], imports: root.imports ?? [] } : { controllers: [], imports: [] };
  const nested = [...imports, ...dynamic.imports].filter((entry): entry is ModuleLike => typeof entry === 'function' || (typeof entry === 'object' && entry !== null && 'module' in entry));
  return [...new Set([...declared, ...dynamic.controllers, ...nested.flatMap((module) => controllersOf(module, seen))])];
}

/** `v1/stacks` + `:stack/versions` → `/v1/stacks/{stack}/versions`: Nest's path as its OpenAPI document writes it. */
function openApiPath(...parts: string[]): string {
  const segments = parts.flatMap((part) => part.split('/')).filter(Boolean);
  return `/${segments.map((segment) => (segment.startsWith(':') ? `{${segment.slice(1)}}` : segment)).join('/')}`;
}

/**
 * The HTTP routes of a Nest module, read from the same decorator metadata Nest registers routes
 * and Swagger documents paths from: the console's table cannot drift from the services' code.
 */
export function routesOfModule(module: ModuleLike, scanner = new MetadataScanner()): Route[] {
  return controllersOf(module).flatMap((controller) => {
    const prototype = controller.prototype as Record<string, unknown>;
    return scanner.getAllMethodNames(prototype).flatMap((name) => {
      const handler = prototype[name] as object;
      const methodPaths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (methodPaths === undefined) return [];
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      return asList(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined).flatMap((base) => asList(methodPaths).map((path) => ({ method, path: openApiPath(base, path) })));
    });
  });
}

interface CompiledRoute extends OwnedRoute {
  /** A literal segment, or null for a parameter. */
  segments: (string | null)[];
}

/** Literal beats parameter at the first segment where two matching templates differ, as routers order them. */
function moreSpecific(a: CompiledRoute, b: CompiledRoute): number {
  for (let index = 0; index < a.segments.length; index += 1) {
    const literalA = a.segments[index] !== null;
    const literalB = b.segments[index] !== null;
    if (literalA !== literalB) return literalA ? -1 : 1;
  }
  return 0;
}

/** Which service owns a request's path: by template, then by method among the owners of that template. */
export class RouteTable {
  private readonly byLength = new Map<number, CompiledRoute[]>();

  constructor(readonly routes: readonly OwnedRoute[]) {
    for (const route of routes) {
      const segments = route.path.split('/').slice(1).map((segment) => (segment.startsWith('{') ? null : segment));
      const sameLength = this.byLength.get(segments.length) ?? [];
      sameLength.push({ ...route, segments });
      this.byLength.set(segments.length, sameLength);
    }
    for (const candidates of this.byLength.values()) candidates.sort(moreSpecific);
  }

  static of(services: readonly { service: string; routes: readonly Route[] }[]): RouteTable {
    return new RouteTable(services.flatMap(({ service, routes }) => routes.map((route) => ({ ...route, service }))));
  }

  /** The services declaring exactly this template and method (one, when the table is sound). */
  owners(method: string, path: string): string[] {
    return [...new Set(this.routes.filter((route) => route.method === method.toUpperCase() && route.path === path).map((route) => route.service))];
  }

  /**
   * The service to send `method path` to: the owner of the most specific matching template with
   * that method, else of that template with another method (so the service answers its own 405).
   */
  serviceFor(method: string, path: string): string | undefined {
    const segments = (path.split('?', 1)[0] ?? '').split('/').slice(1);
    const matching = (this.byLength.get(segments.length) ?? []).filter((route) => route.segments.every((literal, index) => (literal === null ? segments[index] !== '' : literal === segments[index])));
    const best = matching[0];
    if (!best) return undefined;
    const sameTemplate = matching.filter((route) => route.path === best.path);
    return (sameTemplate.find((route) => route.method === method.toUpperCase()) ?? best).service;
  }
}
