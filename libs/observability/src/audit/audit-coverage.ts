import { Injectable, OnApplicationBootstrap, RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PUBLIC_ROUTE } from '../auth/roles.decorator';
import { AuditTrail } from './audit-trail';
import { WRITE_METHODS } from './audit.interceptor';

/** A write route (method and path) of a controller, as Nest's metadata declares it. */
export function writeRoutesOf(controller: Type<unknown>, reflector: Reflector, scanner = new MetadataScanner()): string[] {
  const prototype = controller.prototype as Record<string, () => unknown>;
  return scanner.getAllMethodNames(prototype).flatMap((name) => {
    const handler = prototype[name] as () => unknown;
    if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) {
      return [];
    }
    const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
    const isPublic = reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, [handler, controller]) === true;
    return WRITE_METHODS.has(method) && !isPublic ? [`${method} ${controller.name}.${name}`] : [];
  });
}

/**
 * Fails the start when a controller that writes belongs to no service's audit log: the audit is
 * complete by construction, not by each route remembering to write it.
 */
@Injectable()
export class AuditCoverage implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly trail: AuditTrail,
  ) {}

  onApplicationBootstrap(): void {
    const unaudited = this.discovery
      .getControllers()
      .map((wrapper) => wrapper.metatype as Type<unknown> | undefined)
      .filter((controller): controller is Type<unknown> => controller !== undefined && !this.trail.logFor(controller))
      .flatMap((controller) => writeRoutesOf(controller, this.reflector));
    if (unaudited.length > 0) {
      throw new Error(`write routes without an audit log (register the controller with its service's log): ${unaudited.join(', ')}`);
    }
  }
}
