import { DomainError } from '@strata/domain';
import { EntityManager } from 'typeorm';
import { CatalogRepository } from '../repositories/catalog.repository';

/**
 * Refuses a stack or environment the rollback service has not learnt of from the registry (a typo,
 * or an event still on its way: not-yet-known, so callers may ask again), naming the field. A stack
 * learnt of before the service kept environments has none recorded: its environments are not
 * checked. `unknownStack: 'allow'` leaves a stack the service knows nothing of to the caller's own
 * checks (a deploy's group lookup names it).
 */
export async function assertKnownEnvironment(catalog: CatalogRepository, manager: EntityManager, stack: string, environment: string, unknownStack: 'refuse' | 'allow'): Promise<void> {
  const known = await catalog.environmentsOf(manager, stack);
  if (known.length > 0 && !known.includes(environment)) {
    throw DomainError.notYetKnown(`no environment ${environment} in stack ${stack}`, [
      { field: 'environment', message: `stack '${stack}' has no environment '${environment}' that has reached the rollback service (it has ${known.map((name) => `'${name}'`).join(', ')}; not registered, or still on its way)` },
    ]);
  }
  if (known.length === 0 && unknownStack === 'refuse' && !(await catalog.knowsStack(manager, stack))) {
    throw DomainError.notYetKnown(`no stack ${stack}`, [{ field: 'stack', message: `no stack '${stack}' has reached the rollback service (not registered, or still on its way)` }]);
  }
}
