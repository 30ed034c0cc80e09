import { Role } from '@strata/domain';
import { EventBus, InMemoryEventBus } from '@strata/messaging';
import { ServiceTestApp, startServiceTestApp } from '@strata/testing/harness';
import { RegistryModule } from '../registry.module';
import { TokensService } from '../services/tokens.service';

export interface RegistryTestApp extends ServiceTestApp {
  /** Issues a real token for `principal` (operator unless told) and returns its secret, for specs that check the audit name. */
  tokenFor(principal: string, role?: Role): Promise<string>;
}

/** The registry as one process serves it, on a fresh database, with an in-memory bus unless given another. */
export async function startRegistryTestApp(label: string, bus: EventBus = new InMemoryEventBus(1)): Promise<RegistryTestApp> {
  const harness = await startServiceTestApp({
    label,
    bus: () => bus,
    modules: (options) => RegistryModule.register(options),
    tokenLookup: (built) => built.get(TokensService),
  });
  return Object.assign(harness, {
    tokenFor: async (principal: string, role: Role = 'operator') => (await harness.app.get(TokensService).create({ principal, role }, 'test')).secret,
  });
}
