import { ConfigValue, DependencyDeclaration, HealthCheck, RollbackAction } from '@strata/domain';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** A registry component version with what executing it needs (`component-version.registered` with its definition). */
@Entity({ name: 'component_versions' })
export class CatalogVersionEntity {
  @PrimaryColumn({ type: 'text' }) stack!: string;
  @PrimaryColumn({ type: 'text' }) component!: string;
  @PrimaryColumn({ type: 'text' }) version!: string;
  @Column({ type: 'text' }) type!: string;
  @Column({ type: 'jsonb' }) dependencies!: DependencyDeclaration[];
  @Column({ type: 'jsonb' }) config!: Record<string, ConfigValue>;
  @Column({ type: 'jsonb' }) spec!: Record<string, unknown>;
  @Column({ type: 'jsonb' }) rollback!: RollbackAction[];
  @Column({ type: 'jsonb', nullable: true }) healthCheck!: HealthCheck | null;
  @Column({ type: 'jsonb' }) target!: Record<string, unknown>;
}

@Entity({ name: 'version_groups' })
export class CatalogGroupEntity {
  @PrimaryColumn({ type: 'text' }) stack!: string;
  @PrimaryColumn({ type: 'text' }) name!: string;
  @Column({ type: 'jsonb' }) members!: { component: string; version: string }[];
}

/**
 * An environment of a stack as the registry announced it (`stack.created`, `environment.added`):
 * where executions may run. A stack created before the rollback service kept these has none.
 */
@Entity({ name: 'environments' })
export class CatalogEnvironmentEntity {
  @PrimaryColumn({ type: 'text' }) stack!: string;
  @PrimaryColumn({ type: 'text' }) name!: string;
}

/** Which version of each component is deployed to an environment, as far as executions and recorded deployments say. */
@Entity({ name: 'deployed_components' })
export class DeployedComponentEntity {
  @PrimaryColumn({ type: 'text' }) stack!: string;
  @PrimaryColumn({ type: 'text' }) environment!: string;
  @PrimaryColumn({ type: 'text' }) component!: string;
  @Column({ type: 'text' }) version!: string;
  @Column({ type: 'text' }) type!: string;
  @Column({ type: 'timestamptz' }) updatedAt!: Date;
}

/** The groups an environment was brought to, in order: "the previous deployed group" of a rollback. */
@Entity({ name: 'group_history' })
export class GroupHistoryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) stack!: string;
  @Column({ type: 'text' }) environment!: string;
  @Column({ type: 'text' }) versionGroup!: string;
  @Column({ type: 'uuid', nullable: true }) executionId!: string | null;
  @Column({ type: 'timestamptz' }) deployedAt!: Date;
}

/** A node as the registry announces it (`node.changed`): what an app step waits for. */
@Entity({ name: 'nodes' })
export class NodeEntity {
  @PrimaryColumn({ type: 'text' }) stack!: string;
  @PrimaryColumn({ type: 'text' }) environment!: string;
  @PrimaryColumn({ type: 'text' }) component!: string;
  @PrimaryColumn({ type: 'text' }) address!: string;
  @Column({ type: 'text', nullable: true }) discoveredVersion!: string | null;
  @Column({ type: 'text' }) health!: string;
  @Column({ type: 'bigint' }) observedAt!: string;
}

/** How a rollout of routing-control ended, as its transitions said (a canary deploy waits for it). */
@Entity({ name: 'rollout_outcomes' })
export class RolloutOutcomeEntity {
  @PrimaryColumn({ type: 'text' }) stack!: string;
  @PrimaryColumn({ type: 'text' }) rollout!: string;
  @Column({ type: 'text' }) phase!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'timestamptz' }) updatedAt!: Date;
}

/** routing-control's answer to a routing request of a step (`routing.layers.converged`). */
@Entity({ name: 'routing_answers' })
export class RoutingAnswerEntity {
  @PrimaryColumn({ type: 'text' }) requestId!: string;
  @Column({ type: 'integer', nullable: true }) version!: number | null;
  @Column({ type: 'text' }) outcome!: 'applied' | 'rejected';
  @Column({ type: 'integer' }) gateways!: number;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'timestamptz' }) receivedAt!: Date;
}
