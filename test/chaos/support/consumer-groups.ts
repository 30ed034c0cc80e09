import { physicalGroup } from '@strata/contracts';
import { Admin, AssignerProtocol } from 'kafkajs';

/**
 * Which consumer groups read which of this installation's topics (logical names, both), as the
 * broker sees them: every member's subscription, decoded from its join metadata. Only groups with
 * members count, so call it once the services have joined. Strata's own groups are named
 * `<topic prefix>strata-<service>.<consumer>` on the broker (the logical name is what dead letters
 * carry); a test's own readers (of the DLQ, say) are left out.
 */
export async function consumerGroupsByTopic(admin: Admin, topicPrefix: string): Promise<Map<string, string[]>> {
  const { groups } = await admin.listGroups();
  const described = await admin.describeGroups(groups.map((group) => group.groupId));
  const byTopic = new Map<string, Set<string>>();
  const ours = physicalGroup(topicPrefix, 'strata-');
  for (const group of described.groups.filter((candidate) => candidate.groupId.startsWith(ours))) {
    const logicalGroup = group.groupId.slice(topicPrefix.length);
    for (const member of group.members) {
      const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
      for (const topic of metadata?.topics ?? []) {
        if (topic.startsWith(topicPrefix)) {
          const logical = topic.slice(topicPrefix.length);
          byTopic.set(logical, (byTopic.get(logical) ?? new Set()).add(logicalGroup));
        }
      }
    }
  }
  return new Map([...byTopic].map(([topic, set]) => [topic, [...set].sort()]));
}

/**
 * The (group, topic, partition) triples whose committed offset is short of the partition's end:
 * a consumer that stopped moving (or has not caught up yet).
 */
export async function laggingPartitions(admin: Admin, topicPrefix: string, groupsByTopic: ReadonlyMap<string, readonly string[]>): Promise<string[]> {
  const lagging: string[] = [];
  for (const [topic, groups] of groupsByTopic) {
    const physical = `${topicPrefix}${topic}`;
    const ends = await admin.fetchTopicOffsets(physical);
    for (const groupId of groups) {
      const [committed] = await admin.fetchOffsets({ groupId: physicalGroup(topicPrefix, groupId), topics: [physical] });
      for (const end of ends) {
        const offset = committed?.partitions.find((partition) => partition.partition === end.partition)?.offset ?? '-1';
        const reached = offset === '-1' ? Number(end.low) : Number(offset);
        if (reached < Number(end.high)) {
          lagging.push(`${groupId} ${topic}[${end.partition}] at ${reached} of ${end.high}`);
        }
      }
    }
  }
  return lagging;
}
