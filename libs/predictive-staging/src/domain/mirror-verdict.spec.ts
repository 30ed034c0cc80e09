import { SeededRandom } from '@strata/analytics';
import { SideTraffic, sideFigures } from '../test-support/mirror-traffic';
import { MirrorWindow, judgeMirrorTrial, percentiles } from './mirror-verdict';

function trial(seed: number, windows: number, production: SideTraffic, mirror: SideTraffic): MirrorWindow[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: windows }, (_, index) => ({ windowStart: 1_000_000 + index * 10_000, production: sideFigures(random, production), mirror: sideFigures(random, mirror) }));
}

const PRODUCTION: SideTraffic = { requests: 200, medianMs: 40, clientErrorRate: 0.02, serverErrorRate: 0.002 };
const SAME_ON_STAGING: SideTraffic = { ...PRODUCTION, requests: 20 };

describe(judgeMirrorTrial.name, () => {
  it('passes staging that answers like production, with both sides’ status shares and percentiles', () => {
    const sut = judgeMirrorTrial(trial(1, 30, PRODUCTION, SAME_ON_STAGING), { minRequests: 300 });
    expect(sut.verdict).toBe('pass');
    expect(sut.findings[0]).toBe('no regression shown after 600 mirrored requests');
    expect(sut.mirror.requests).toBe(600);
    expect(sut.production.requests).toBe(6_000);
    expect(sut.production.shares?.clientErrors).toBeCloseTo(0.02, 2);
    expect(sut.mirror.latencyMs?.p50).toBeGreaterThan(30);
    expect(sut.mirror.latencyMs?.p50).toBeLessThan(55);
    expect(sut.judge?.latencyRegressed).toBe(false);
    expect(sut.clientErrors?.differs).toBe(false);
  });

  it('passes the same traffic under every seed of ten (no false fail of an A/A trial here)', () => {
    const verdicts = Array.from({ length: 10 }, (_, seed) => judgeMirrorTrial(trial(100 + seed, 30, PRODUCTION, SAME_ON_STAGING), { minRequests: 300 }).verdict);
    expect(verdicts).toEqual(Array(10).fill('pass'));
  });

  it('fails staging 50 % slower on latency, naming the shift', () => {
    const sut = judgeMirrorTrial(trial(2, 30, PRODUCTION, { ...SAME_ON_STAGING, medianMs: 60 }), { minRequests: 300 });
    expect(sut.verdict).toBe('fail');
    expect(sut.findings[0]).toBe('staging differs from production: latency');
    expect(sut.judge?.latencyShift).toBeGreaterThan(0.3);
    expect(sut.findings.find((finding) => finding.startsWith('latency:'))).toMatch(/^latency: regression: staging shift \+/);
  });

  it('fails a staging config that is down: unanswered copies count as errors', () => {
    const sut = judgeMirrorTrial(trial(3, 10, PRODUCTION, { ...SAME_ON_STAGING, down: true }), { minRequests: 100 });
    expect(sut.verdict).toBe('fail');
    expect(sut.findings[0]).toContain('errors');
    expect(sut.mirror.shares?.connectErrors).toBe(1);
  });

  it('fails staging that answers 404 to a tenth of the copies, on the 4xx share alone', () => {
    const sut = judgeMirrorTrial(trial(4, 30, PRODUCTION, { ...SAME_ON_STAGING, clientErrorRate: 0.12 }), { minRequests: 300 });
    expect(sut.verdict).toBe('fail');
    expect(sut.findings[0]).toBe('staging differs from production: 4xx share');
    expect(sut.clientErrors?.mirror).toBeGreaterThan(0.08);
    expect(sut.clientErrors?.pValue).toBeLessThan(0.01);
  });

  it('fails on JSON bodies when more compared copies differ than the tolerance allows, and names the count', () => {
    const withBodies = (windows: MirrorWindow[], mismatched: number) => windows.map((window, index) => ({ ...window, mirror: { ...window.mirror, bodyComparisons: 20, bodyMismatches: index === 0 ? mismatched : 0 } }));
    const same = judgeMirrorTrial(withBodies(trial(7, 30, PRODUCTION, SAME_ON_STAGING), 0), { minRequests: 300 });
    expect(same.verdict).toBe('pass');
    expect(same.bodies).toEqual({ compared: 600, mismatched: 0, share: 0, differs: false });
    const differing = judgeMirrorTrial(withBodies(trial(7, 30, PRODUCTION, SAME_ON_STAGING), 3), { minRequests: 300 });
    expect(differing.verdict).toBe('fail');
    expect(differing.findings[0]).toBe('staging differs from production: JSON bodies');
    expect(differing.findings).toContain("JSON bodies: differ: 3 of 600 compared copies differ from production's answer (0.50 %)");
    expect(judgeMirrorTrial(withBodies(trial(7, 30, PRODUCTION, SAME_ON_STAGING), 3), { minRequests: 300, bodyMismatchTolerance: 0.01 }).verdict).toBe('pass');
    expect(judgeMirrorTrial(trial(7, 30, PRODUCTION, SAME_ON_STAGING), { minRequests: 300 }).bodies).toBeNull();
  });

  it('is inconclusive, never a pass, below the requests each side must serve', () => {
    const sut = judgeMirrorTrial(trial(5, 5, PRODUCTION, SAME_ON_STAGING), { minRequests: 300 });
    expect(sut.verdict).toBe('inconclusive');
    expect(sut.findings[0]).toBe('insufficient data: 1000 production and 100 mirrored requests, 300 per side required');
  });

  it('is inconclusive when staging received no copy at all', () => {
    const windows = trial(6, 3, PRODUCTION, { ...SAME_ON_STAGING, requests: 0 });
    const sut = judgeMirrorTrial(windows, { minRequests: 1 });
    expect(sut).toMatchObject({ verdict: 'inconclusive', findings: ['insufficient data: staging received no mirrored request in 3 KPI window(s)'], judge: null });
  });
});

describe(percentiles.name, () => {
  it('reads nearest-rank percentiles from merged histograms', () => {
    expect(percentiles([{ values: [1, 2], counts: [50, 40] }, { values: [2, 10], counts: [9, 1] }])).toEqual({ p50: 1, p90: 2, p99: 2 });
    expect(percentiles([{ values: [1, 10], counts: [98, 2] }])).toEqual({ p50: 1, p90: 1, p99: 10 });
    expect(percentiles([{ values: [], counts: [] }])).toBeNull();
  });
});
