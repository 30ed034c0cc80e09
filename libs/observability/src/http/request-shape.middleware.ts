import { HttpException, HttpStatus, UnsupportedMediaTypeException } from '@nestjs/common';
import { DomainViolation } from '@strata/domain';
import type { NextFunction, Request, Response } from 'express';
import { UnprocessableInputException } from './json-body';

/** Media types some route reads; a body of any other type is refused before any handler runs. */
export const ACCEPTED_BODY_TYPES = ['application/json', 'text/plain', 'application/yaml', 'application/x-yaml', 'application/x-protobuf'];

function mediaType(request: Request): string | undefined {
  return request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
}

function hasBody(request: Request): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

/** A body with no Content-Type, or one no route reads, is a 415 rather than an empty body. */
export function unsupportedMediaTypeMiddleware(request: Request, _response: Response, next: NextFunction): void {
  const type = mediaType(request);
  if (!hasBody(request) || (type !== undefined && (ACCEPTED_BODY_TYPES.includes(type) || /^application\/[\w.-]+\+json$/.test(type)))) {
    next();
    return;
  }
  next(new UnsupportedMediaTypeException(`Content-Type ${type ? `'${type}'` : '(none)'} is not accepted; send ${ACCEPTED_BODY_TYPES.join(', ')}`));
}

export class MethodNotAllowedException extends HttpException {
  constructor(
    method: string,
    readonly allowed: string[],
  ) {
    super(`${method} is not allowed here; allowed: ${allowed.join(', ')}`, HttpStatus.METHOD_NOT_ALLOWED);
  }
}

interface RouteTemplate {
  pattern: RegExp;
  /** The names of the path parameters, in the order of the pattern's groups. */
  parameters: string[];
  methods: Set<string>;
}

/** The first path parameter whose value is not valid percent-encoded UTF-8 (Express would answer a bare 400). */
function undecodableParameter(template: RouteTemplate, path: string): DomainViolation | undefined {
  const values = template.pattern.exec(path)?.slice(1) ?? [];
  const index = values.findIndex((value) => {
    try {
      decodeURIComponent(value);
      return false;
    } catch {
      return true;
    }
  });
  return index < 0 ? undefined : { field: `path.${template.parameters[index]}`, message: 'is not valid percent-encoded UTF-8' };
}

/**
 * Answers 405 with `Allow` for a method none of a known path's routes answer (Express would fall
 * through to 404), and 422 naming the parameter for a path parameter that does not decode. The
 * route table is the OpenAPI document's, so it cannot drift from the routes.
 */
export function methodNotAllowedMiddleware(paths: Record<string, Record<string, unknown>>): (request: Request, response: Response, next: NextFunction) => void {
  const templates: RouteTemplate[] = Object.entries(paths).map(([path, operations]) => ({
    pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '([^/]+)')}/?$`),
    parameters: [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string),
    methods: new Set(Object.keys(operations).map((method) => method.toUpperCase())),
  }));
  return (request, response, next) => {
    const matching = templates.filter((template) => template.pattern.test(request.path));
    if (matching.length === 0) {
      next();
      return;
    }
    const undecodable = matching.map((template) => undecodableParameter(template, request.path)).find((violation) => violation !== undefined);
    if (undecodable) {
      next(new UnprocessableInputException([undecodable]));
      return;
    }
    const allowed = new Set(matching.flatMap((template) => [...template.methods]));
    if (allowed.has('GET')) {
      allowed.add('HEAD');
    }
    if (allowed.has(request.method)) {
      next();
      return;
    }
    const list = [...allowed].sort();
    response.setHeader('Allow', list.join(', '));
    next(new MethodNotAllowedException(request.method, list));
  };
}
