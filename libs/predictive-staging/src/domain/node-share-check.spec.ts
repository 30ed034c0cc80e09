import { SeededRandom } from '@strata/analytics';
import { SideTraffic, sideFigures } from '../test-support/mirror-traffic';
import { MirrorWindow, judgeMirrorTrial } from './mirror-verdict';
import { checkNodeShares, withNodeShares } from './node-share-check';

const WEIGHTS = { 'node-a': 20, 'node-b': 80 };

function passingJudgement() {
  const random = new SeededRandom(7);
  const production: SideTraffic = { requests: 200, medianMs: 10 };
  const windows: MirrorWindow[] = Array.from({ length: 20 }, (_, index) => ({ windowStart: index * 10_000, production: sideFigures(random, production), mirror: sideFigures(random, { ...production, requests: 40 }) }));
  return judgeMirrorTrial(windows, { minRequests: 300 });
}

describe(checkNodeShares.name, () => {
  it('finds copies split as the weights ask, with each node’s share, expected share and failures', () => {
    const sut = checkNodeShares([{ node: 'node-a', copies: 210, failed: 0 }, { node: 'node-b', copies: 790, failed: 8 }], WEIGHTS, 0.1);
    expect(sut).toMatchObject({ copies: 1_000, maxDeviation: 0.01, differs: false });
    expect(sut.nodes).toEqual([
      { node: 'node-a', weight: 20, expectedShare: 0.2, copies: 210, share: 0.21, failedShare: 0 },
      { node: 'node-b', weight: 80, expectedShare: 0.8, copies: 790, share: 0.79, failedShare: 0.0101 },
    ]);
    expect(sut.finding).toBe('node shares: as the weights ask: node-a 21.0 % (weights ask 20.0 %), node-b 79.0 % (weights ask 80.0 %) of 1000 copies, 1.0 % apart at most (tolerance 10.0 %)');
  });

  it('finds a split the weights did not make (a weighted node took none: ejected or gone)', () => {
    const sut = checkNodeShares([{ node: 'node-a', copies: 500, failed: 0 }], WEIGHTS, 0.1);
    expect(sut).toMatchObject({ differs: true, maxDeviation: 0.8 });
    expect(sut.nodes.find((node) => node.node === 'node-b')).toMatchObject({ copies: 0, share: 0, failedShare: null });
  });

  it('gives a node the weights do not name the mean weight, as the gateway does', () => {
    const sut = checkNodeShares([{ node: 'node-c', copies: 10, failed: 0 }], WEIGHTS, 0.1);
    expect(sut.nodes.map((node) => node.expectedShare)).toEqual([0.1333, 0.5333, 0.3333]);
  });

  it('decides nothing without copies', () => {
    expect(checkNodeShares([], WEIGHTS, 0.1)).toMatchObject({ copies: 0, differs: false, finding: 'node shares: no copy reached a node' });
  });
});

describe(withNodeShares.name, () => {
  it('fails a passing trial whose copies did not split as the weights ask, and keeps a pass whose copies did', () => {
    const judgement = passingJudgement();
    expect(judgement.verdict).toBe('pass');
    const off = withNodeShares(judgement, checkNodeShares([{ node: 'node-a', copies: 700, failed: 0 }, { node: 'node-b', copies: 100, failed: 0 }], WEIGHTS, 0.1));
    expect(off.verdict).toBe('fail');
    expect(off.findings[0]).toBe('the copies did not split as the proposed weights ask');
    const on = withNodeShares(judgement, checkNodeShares([{ node: 'node-a', copies: 160, failed: 0 }, { node: 'node-b', copies: 640, failed: 0 }], WEIGHTS, 0.1));
    expect(on.verdict).toBe('pass');
    expect(on.findings.at(-1)).toMatch(/^node shares: as the weights ask/);
  });

  it('keeps a failing judgement failing and an inconclusive one inconclusive', () => {
    const failing = { ...passingJudgement(), verdict: 'fail' as const, findings: ['staging differs from production: errors'] };
    const even = checkNodeShares([{ node: 'node-a', copies: 20, failed: 0 }, { node: 'node-b', copies: 80, failed: 0 }], WEIGHTS, 0.1);
    expect(withNodeShares(failing, even).verdict).toBe('fail');
    expect(withNodeShares({ ...failing, verdict: 'inconclusive' }, even).verdict).toBe('inconclusive');
  });
});
