import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { GroupDeploymentEntity, GroupMember, VersionGroupProjectionEntity } from '../entities/routing-projections.entity';

/** The only code touching routing-control's projection of version groups and where they are deployed. */
@Injectable()
export class DeployedGroupsRepository {
  async recordGroup(manager: EntityManager, stack: string, name: string, members: GroupMember[]): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(VersionGroupProjectionEntity)
      .values({ stack, name, members })
      .orUpdate(['members'], ['stack', 'name'])
      .execute();
  }

  async recordDeployment(manager: EntityManager, deployment: Omit<GroupDeploymentEntity, 'recordedAt'>, recordedAt: Date): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(GroupDeploymentEntity)
      .values({ ...deployment, recordedAt })
      .orUpdate(['recorded_at'], ['stack', 'environment', 'location', 'version_group'])
      .execute();
  }

  async knownGroups(manager: EntityManager, stack: string, names: readonly string[]): Promise<Set<string>> {
    const groups = names.length === 0 ? [] : await manager.find(VersionGroupProjectionEntity, { where: names.map((name) => ({ stack, name })), select: { name: true } });
    return new Set(groups.map((group) => group.name));
  }

  /** The groups deployed to the environment, at one location or at any. */
  async deployedGroups(manager: EntityManager, stack: string, environment: string, location?: GroupDeploymentEntity['location']): Promise<Set<string>> {
    const deployments = await manager.find(GroupDeploymentEntity, { where: location ? { stack, environment, location } : { stack, environment }, select: { versionGroup: true } });
    return new Set(deployments.map((deployment) => deployment.versionGroup));
  }
}
