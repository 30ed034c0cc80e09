import { ADMIN_KINDS } from './admin-kinds';
import { EXECUTION_KINDS } from './execution-kinds';
import { INSIGHT_KINDS } from './insight-kinds';
import { Kind } from './kind';
import { REGISTRY_KINDS } from './registry-kinds';
import { ROUTING_KINDS } from './routing-kinds';

export * from './kind';

/** Every kind `get` and `describe` know, in the order `strata get --help` lists them. */
export const KINDS: readonly Kind[] = [...REGISTRY_KINDS, ...ROUTING_KINDS, ...INSIGHT_KINDS, ...EXECUTION_KINDS, ...ADMIN_KINDS];
