import { weightsOfNodes } from '@strata/domain';
import type { MirrorJudgement, MirrorVerdict } from './mirror-verdict';

/** One node's copies in an lb-weights trial: its share of them beside the share its proposed weight asks for. */
export interface NodeShare {
  node: string;
  weight: number;
  expectedShare: number;
  copies: number;
  share: number;
  /** Copies it failed (5xx or unanswered), as a share of its copies; null without copies. */
  failedShare: number | null;
}

export interface NodeShareCheck {
  nodes: NodeShare[];
  copies: number;
  /** The largest |share − expected share| over the nodes. */
  maxDeviation: number;
  tolerance: number;
  differs: boolean;
  finding: string;
}

/**
 * How the copies of an lb-weights trial split over the nodes against the split the proposed
 * weights ask for (each node's weight over their sum; a node the weights do not name takes their
 * mean, as the gateway gives it). A split off by more than `tolerance` (absolute share) means the
 * gateway could not apply the weights as proposed (a node ejected, gone or not in the config), so
 * what the copies showed is not what the weights would do.
 */
export function checkNodeShares(copiesByNode: readonly { node: string; copies: number; failed: number }[], proposed: Readonly<Record<string, number>>, tolerance: number): NodeShareCheck {
  const ids = [...new Set([...Object.keys(proposed), ...copiesByNode.map((entry) => entry.node)])].sort();
  const weights = weightsOfNodes(ids, proposed) ?? ids.map(() => 1);
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
  const copies = copiesByNode.reduce((sum, entry) => sum + entry.copies, 0);
  const nodes = ids.map((node, index) => {
    const observed = copiesByNode.find((entry) => entry.node === node);
    const weight = weights[index] ?? 0;
    const count = observed?.copies ?? 0;
    return {
      node,
      weight,
      expectedShare: round(totalWeight > 0 ? weight / totalWeight : 0),
      copies: count,
      share: round(copies > 0 ? count / copies : 0),
      failedShare: count > 0 ? round((observed?.failed ?? 0) / count) : null,
    };
  });
  const maxDeviation = copies === 0 ? 0 : round(Math.max(0, ...nodes.map((entry) => Math.abs(entry.share - entry.expectedShare))));
  const differs = copies > 0 && maxDeviation > tolerance;
  const split = nodes.map((entry) => `${entry.node} ${percent(entry.share)} (weights ask ${percent(entry.expectedShare)})`).join(', ');
  const finding = copies === 0 ? 'node shares: no copy reached a node' : `node shares: ${differs ? 'the split differs from the weights' : 'as the weights ask'}: ${split} of ${copies} copies, ${percent(maxDeviation)} apart at most (tolerance ${percent(tolerance)})`;
  return { nodes, copies, maxDeviation, tolerance, differs, finding };
}

/**
 * The mirrored trial's verdict with the node split folded in: a failing judge stands; a split the
 * weights did not produce fails a pass (the copies did not try the proposed weights); an
 * inconclusive judgement stays inconclusive. The split's finding joins the findings.
 */
export function withNodeShares(judgement: MirrorJudgement, shares: NodeShareCheck): { verdict: MirrorVerdict; findings: string[] } {
  if (judgement.verdict === 'pass' && shares.differs) {
    return { verdict: 'fail', findings: ['the copies did not split as the proposed weights ask', ...judgement.findings, shares.finding] };
  }
  return { verdict: judgement.verdict, findings: [...judgement.findings, shares.finding] };
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

function percent(share: number): string {
  return `${(100 * share).toFixed(1)} %`;
}
