import { DeployedGroupVersions, NodeVersionStatus, nodeVersionStatus } from '@strata/domain';
import { DeployedGroupEntity } from '../entities/deployed-group.entity';
import { VersionMapEntryEntity } from '../entities/version-map-entry.entity';
import { NodeEntity } from '../entities/node.entity';

/** The groups deployed to one location, as the domain's version check reads them. */
export function groupVersions(groups: readonly DeployedGroupEntity[]): DeployedGroupVersions[] {
  return groups.map((deployed) => ({
    versionGroup: deployed.versionGroup.name,
    deployedAt: deployed.deployedAt.getTime(),
    members: deployed.versionGroup.members.map((member) => ({ component: member.component.name, version: member.version })),
  }));
}

/**
 * A node's version against what is deployed to its location: the groups not retired there (all
 * locations may be given; the node's is picked) and the slot of its component.
 */
export function versionStatusOfNode(
  node: Pick<NodeEntity, 'componentId' | 'location' | 'discoveredVersion'>,
  component: string,
  groups: readonly DeployedGroupEntity[],
  slots: readonly VersionMapEntryEntity[],
): NodeVersionStatus {
  const slot = slots.find((candidate) => candidate.componentId === node.componentId && candidate.location === node.location);
  return nodeVersionStatus({
    component,
    discoveredVersion: node.discoveredVersion,
    groups: groupVersions(groups.filter((deployed) => deployed.location === node.location)),
    slot: slot ? { version: slot.componentVersion.version, versionGroup: slot.versionGroupId } : null,
  });
}
