import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Role } from '@strata/domain';

export const REQUIRED_ROLE = 'strata:required-role';
export const PUBLIC_ROUTE = 'strata:public-route';

/**
 * The one place a route (or every route of a controller) says who may call it. A handler's own
 * declaration overrides its controller's. A route with neither this nor @Public() is refused.
 */
export function RequireRole(role: Role): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_ROLE, role),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No bearer token, or an unknown, expired or revoked one' }),
    ApiForbiddenResponse({ description: `The token's role is below ${role}` }),
  );
}

/** Open to anyone: liveness, readiness and metrics scrapes carry no token. */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_ROUTE, true);
}
