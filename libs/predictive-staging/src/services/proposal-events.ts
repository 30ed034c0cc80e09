import { EventOutbox } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import type { ProposalStatus } from '@strata/domain';
import type { ProposalRecord } from '../repositories/proposals.repository';

/** Announces a proposal made (`from` null) or moved on `staging.events`, in the caller's transaction. */
export async function announceProposal(events: EventOutbox, manager: EntityManager, proposal: ProposalRecord, from: ProposalStatus | null, actor: string): Promise<void> {
  const { id: proposalId, kind, stack, environment, component, title, status, reason } = proposal;
  await events.record(manager, events.create('io.strata.staging.proposal.changed.v1', stack, { proposalId, kind, stack, environment, component, title: title.slice(0, 500), from, status, reason: reason.slice(0, 4_000), actor }));
}
