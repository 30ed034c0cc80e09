import { DatabaseConfig } from '@strata/config';
import { createServiceDataSource } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { ComponentVersionEntity } from '../entities/component-version.entity';
import { ComponentEntity } from '../entities/component.entity';
import { DeclaredRolloutEntity } from '../entities/declared-rollout.entity';
import { DeployedGroupEntity } from '../entities/deployed-group.entity';
import { VersionMapEntryEntity } from '../entities/version-map-entry.entity';
import { EnvironmentEntity } from '../entities/environment.entity';
import { NodeEntity } from '../entities/node.entity';
import { StackEntity } from '../entities/stack.entity';
import { TokenEntity } from '../entities/token.entity';
import { VersionGroupEntity } from '../entities/version-group.entity';
import { VersionMapChangeEntity } from '../entities/version-map-change.entity';
import { InitialRegistry1764201600000 } from './migrations/1764201600000-initial-registry';
import { ComponentsAndVersionMap1764216000000 } from './migrations/1764216000000-components-and-version-map';
import { DeclaredRollouts1764230400000 } from './migrations/1764230400000-declared-rollouts';
import { RolloutDeclarationAnswers1764921600000 } from './migrations/1764921600000-rollout-declaration-answers';
import { NodeUrlsAndDeployedGroups1765152000000 } from './migrations/1765152000000-node-urls-and-deployed-groups';
import { Tokens1765324800000 } from './migrations/1765324800000-tokens';
import { AuditLog1765411200000 } from './migrations/1765411200000-audit-log';
import { ExecutedSlots1765500000000 } from './migrations/1765500000000-executed-slots';
import { SlotClaims1765900000000 } from './migrations/1765900000000-slot-claims';
import { REGISTRY_SCHEMA } from './registry-schema';

export function createRegistryDataSource(database: DatabaseConfig): DataSource {
  return createServiceDataSource({
    schema: REGISTRY_SCHEMA,
    url: database.url,
    poolSize: database.poolSize,
    entities: [StackEntity, EnvironmentEntity, ComponentEntity, ComponentVersionEntity, VersionGroupEntity, VersionMapEntryEntity, VersionMapChangeEntity, NodeEntity, DeclaredRolloutEntity, DeployedGroupEntity, TokenEntity],
    migrations: [InitialRegistry1764201600000, ComponentsAndVersionMap1764216000000, DeclaredRollouts1764230400000, RolloutDeclarationAnswers1764921600000, NodeUrlsAndDeployedGroups1765152000000, Tokens1765324800000, AuditLog1765411200000, ExecutedSlots1765500000000, SlotClaims1765900000000],
  });
}
