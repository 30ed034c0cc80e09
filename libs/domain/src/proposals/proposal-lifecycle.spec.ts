import { DomainError } from '../errors/domain-error';
import { PROPOSAL_STATUSES, ProposalAction, ProposalStatus, isFinalProposalStatus, proposalTransition } from './proposal-lifecycle';

const ACTIONS: readonly ProposalAction[] = ['stage', 'validate', 'promote', 'reject'];

/** Every allowed move; every other (status, action) pair must be refused. */
const ALLOWED: Record<string, ProposalStatus> = {
  'proposed stage': 'staged',
  'staged stage': 'staged',
  'staged validate': 'validated',
  'validated promote': 'promoted',
  'proposed reject': 'rejected',
  'staged reject': 'rejected',
  'validated reject': 'rejected',
};

describe('proposalTransition', () => {
  for (const status of PROPOSAL_STATUSES) {
    for (const action of ACTIONS) {
      const key = `${status} ${action}`;
      const allowed = ALLOWED[key];
      if (allowed) {
        it(`${action} takes a ${status} proposal to ${allowed}`, () => {
          expect(proposalTransition(status, action)).toBe(allowed);
        });
      } else {
        it(`refuses to ${action} a ${status} proposal, naming the status`, () => {
          const refused = (() => {
            try {
              proposalTransition(status, action);
            } catch (error) {
              return error;
            }
            return undefined;
          })() as DomainError;
          expect(refused).toBeInstanceOf(DomainError);
          expect(refused.code).toBe('conflict');
          expect(refused.violations).toEqual([{ field: 'status', message: `is ${status}` }]);
          expect(refused.message).toContain(`a ${status} proposal cannot be`);
        });
      }
    }
  }

  it('names promoted and rejected as the final statuses', () => {
    expect(PROPOSAL_STATUSES.filter(isFinalProposalStatus)).toEqual(['promoted', 'rejected']);
  });
});
