import { DomainError, DomainErrorCode } from '../errors/domain-error';

/**
 * A proposal's life: `proposed` (a predicted change and its evidence), `staged` (tried on a staging
 * copy, its measurements kept), `validated` (the measurements hold the expected effect), `promoted`
 * (deployed as a real version), or `rejected` with the reason, from any state before promotion.
 */
export type ProposalStatus = 'proposed' | 'staged' | 'validated' | 'promoted' | 'rejected';

export type ProposalAction = 'stage' | 'validate' | 'promote' | 'reject';

export const PROPOSAL_STATUSES: readonly ProposalStatus[] = ['proposed', 'staged', 'validated', 'promoted', 'rejected'];

/** What a proposal proposes: an index (a db-schema version), load-balancer weights (an lb-rule version), an app version. */
export type ProposalKind = 'index' | 'lb-weights' | 'app-version';

export const PROPOSAL_KINDS: readonly ProposalKind[] = ['index', 'lb-weights', 'app-version'];

const MOVES: Readonly<Record<ProposalAction, { from: readonly ProposalStatus[]; to: ProposalStatus }>> = {
  stage: { from: ['proposed', 'staged'], to: 'staged' },
  validate: { from: ['staged'], to: 'validated' },
  promote: { from: ['validated'], to: 'promoted' },
  reject: { from: ['proposed', 'staged', 'validated'], to: 'rejected' },
};

/** Where `action` takes a proposal in `status` (staging again replaces the measurements); anything else is a conflict naming `status`. */
export function proposalTransition(status: ProposalStatus, action: ProposalAction): ProposalStatus {
  const move = MOVES[action];
  if (!move.from.includes(status)) {
    throw new DomainError(DomainErrorCode.Conflict, `a ${status} proposal cannot be ${pastTense(action)}: ${action} needs one that is ${move.from.join(' or ')}`, [
      { field: 'status', message: `is ${status}` },
    ]);
  }
  return move.to;
}

/** Whether nothing moves the proposal any more. */
export function isFinalProposalStatus(status: ProposalStatus): boolean {
  return status === 'promoted' || status === 'rejected';
}

function pastTense(action: ProposalAction): string {
  return action === 'stage' ? 'staged' : action === 'validate' ? 'validated' : action === 'promote' ? 'promoted' : 'rejected';
}
