import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { RolloutStep } from './rollout-spec';
import { MAX_INCONCLUSIVE_ANALYSES, RolloutContext, RolloutInput, RolloutPhase, RolloutState, RolloutTransition, advanceRollout, initialRolloutState } from './rollout-state-machine';
import { AnalysisOutcome } from './threshold-judge';

const T0 = 1_700_000_000_000;
const WINDOW_MS = 30_000;
const PAUSE_MS = 120_000;

const canarySteps: RolloutStep[] = [
  { kind: 'setWeight', weight: 5 },
  { kind: 'analysis', windowMs: WINDOW_MS, judge: 'default', minSamples: 10, rules: [{ metric: 'errorRate', max: 0.05 }] },
  { kind: 'setWeight', weight: 25 },
  { kind: 'pause', durationMs: PAUSE_MS },
  { kind: 'pause' },
  { kind: 'setWeight', weight: 100 },
];

const passed: AnalysisOutcome = { verdict: 'pass', findings: ['errorRate within limits'] };
const failed: AnalysisOutcome = { verdict: 'fail', findings: ['errorRate 0.2 above 0.05'] };
const inconclusive: AnalysisOutcome = { verdict: 'inconclusive', findings: ['3 requests'] };
const marginal: AnalysisOutcome = { verdict: 'marginal', findings: ['score 80'] };

function stateIn(phase: RolloutPhase, changes: Partial<RolloutState> = {}): RolloutState {
  return { ...initialRolloutState(T0), phase, ...changes };
}

describe(advanceRollout.name, () => {
  const sut = (state: RolloutState, input: RolloutInput, now = T0, steps: readonly RolloutStep[] = canarySteps, context: RolloutContext = {}): RolloutTransition =>
    advanceRollout(steps, state, input, now, context);

  const started = (): RolloutTransition => sut(initialRolloutState(T0), { kind: 'start' });

  describe('start', () => {
    it('runs the first setWeight step and waits on the analysis window', () => {
      const { state, effects } = started();
      expect(state).toMatchObject({ phase: 'progressing', stepIndex: 1, canaryWeight: 5, stepStartedAt: T0 });
      expect(effects).toEqual([
        expect.objectContaining({ kind: 'transitioned', from: 'pending', to: 'progressing' }),
        { kind: 'setCanaryWeight', weight: 5 },
        expect.objectContaining({ kind: 'transitioned', from: 'progressing', to: 'progressing', stepIndex: 1 }),
      ]);
    });

    it('promotes at once when every step is a setWeight', () => {
      const { state, effects } = sut(initialRolloutState(T0), { kind: 'start' }, T0, [{ kind: 'setWeight', weight: 50 }]);
      expect(state).toMatchObject({ phase: 'promoted', canaryWeight: 100 });
      expect(effects.filter((effect) => effect.kind === 'setCanaryWeight')).toEqual([
        { kind: 'setCanaryWeight', weight: 50 },
        { kind: 'setCanaryWeight', weight: 100 },
      ]);
    });

    it.each<RolloutPhase>(['progressing', 'paused', 'promoted', 'aborted', 'rolled-back'])('is refused when %s, naming the phase', (phase) => {
      expect(() => sut(stateIn(phase), { kind: 'start' })).toThrow(new DomainError(DomainErrorCode.Conflict, `cannot start a rollout that is ${phase}`));
    });
  });

  describe('analysis', () => {
    it('asks for an analysis only once the window has elapsed', () => {
      const before = sut(started().state, { kind: 'tick' }, T0 + WINDOW_MS - 1);
      const after = sut(started().state, { kind: 'tick' }, T0 + WINDOW_MS);
      expect(before.effects).toEqual([]);
      expect(after.effects).toEqual([{ kind: 'analysisDue', stepIndex: 1, windowStart: T0, windowEnd: T0 + WINDOW_MS }]);
    });

    it('goes on to the next steps when the analysis passes, stopping at the timed pause', () => {
      const now = T0 + WINDOW_MS;
      const { state, effects } = sut(started().state, { kind: 'analysisResult', stepIndex: 1, outcome: passed }, now);
      expect(state).toMatchObject({ phase: 'paused', stepIndex: 3, canaryWeight: 25, pause: { cause: 'step', resumeAt: now + PAUSE_MS } });
      expect(effects).toContainEqual({ kind: 'setCanaryWeight', weight: 25 });
      expect(effects.at(-1)).toMatchObject({ kind: 'transitioned', from: 'progressing', to: 'paused' });
    });

    it('aborts with the findings when the analysis fails, putting the canary weight back to 0', () => {
      const { state, effects } = sut(started().state, { kind: 'analysisResult', stepIndex: 1, outcome: failed }, T0 + WINDOW_MS);
      expect(state).toMatchObject({ phase: 'aborted', canaryWeight: 0 });
      expect(state.reason).toContain('errorRate 0.2 above 0.05');
      expect(effects).toContainEqual({ kind: 'setCanaryWeight', weight: 0 });
    });

    it.each([
      ['passes', 'pass', 'progressing'],
      ['fails', 'fail', 'aborted'],
      ['is held', 'marginal', 'paused'],
      ['is inconclusive', 'inconclusive', 'progressing'],
    ] as const)('carries the judged metrics on the transition the analysis caused when it %s, and on no other', (_how, verdict, to) => {
      const judgedMetrics = [{ metric: 'error-rate', regression: verdict === 'fail', pValue: verdict === 'fail' ? 0.001 : 0.5, level: 0.006 }];
      const { effects } = sut(started().state, { kind: 'analysisResult', stepIndex: 1, outcome: { verdict, findings: ['x'], judgedMetrics } }, T0 + WINDOW_MS);
      const transitions = effects.filter((effect) => effect.kind === 'transitioned');
      expect(transitions[0]).toMatchObject({ to, reason: expect.stringContaining('analysis of step 2'), judgedMetrics });
      expect(transitions.slice(1).filter((transition) => 'judgedMetrics' in transition)).toEqual([]);
    });

    it('extends the window when inconclusive, judging all its data again, and aborts after too many inconclusive analyses', () => {
      let state = started().state;
      let now = T0;
      for (let attempt = 1; attempt < MAX_INCONCLUSIVE_ANALYSES; attempt += 1) {
        now += WINDOW_MS;
        state = sut(state, { kind: 'analysisResult', stepIndex: 1, outcome: inconclusive }, now).state;
        expect(state).toMatchObject({ phase: 'progressing', stepStartedAt: T0, inconclusiveAnalyses: attempt });
        expect(state.reason).toContain(`window extended to ${(WINDOW_MS * (attempt + 1)) / 1000} s`);
        expect(sut(state, { kind: 'tick' }, now + WINDOW_MS - 1).effects).toEqual([]);
        expect(sut(state, { kind: 'tick' }, now + WINDOW_MS).effects).toEqual([{ kind: 'analysisDue', stepIndex: 1, windowStart: T0, windowEnd: now + WINDOW_MS }]);
      }
      now += WINDOW_MS;
      state = sut(state, { kind: 'analysisResult', stepIndex: 1, outcome: inconclusive }, now).state;
      expect(state).toMatchObject({ phase: 'aborted', canaryWeight: 0 });
    });

    it('ignores a result that arrives before the extended window has elapsed', () => {
      const once = sut(started().state, { kind: 'analysisResult', stepIndex: 1, outcome: inconclusive }, T0 + WINDOW_MS).state;
      expect(sut(once, { kind: 'analysisResult', stepIndex: 1, outcome: passed }, T0 + 2 * WINDOW_MS - 1).state).toBe(once);
    });

    it('holds a marginal analysis for an operator: promote accepts the step, resume analyses it again', () => {
      const now = T0 + WINDOW_MS;
      const held = sut(started().state, { kind: 'analysisResult', stepIndex: 1, outcome: marginal }, now);
      expect(held.state).toMatchObject({ phase: 'paused', stepIndex: 1, canaryWeight: 5, pause: { cause: 'manual', resumeAt: null } });
      expect(held.state.reason).toContain('marginal, held for an operator: score 80');
      expect(sut(held.state, { kind: 'tick' }, now + 10 * WINDOW_MS).state).toBe(held.state);

      expect(sut(held.state, { kind: 'promote', full: false }, now + 1).state).toMatchObject({ phase: 'paused', stepIndex: 3, canaryWeight: 25 });
      const resumed = sut(held.state, { kind: 'resume' }, now + 1);
      expect(resumed.state).toMatchObject({ phase: 'progressing', stepIndex: 1, stepStartedAt: now + 1 });
      expect(sut(resumed.state, { kind: 'tick' }, now + 1 + WINDOW_MS).effects).toEqual([{ kind: 'analysisDue', stepIndex: 1, windowStart: now + 1, windowEnd: now + 1 + WINDOW_MS }]);
    });

    it('ignores a result for another step, one before the window ends, or one arriving while paused', () => {
      const progressing = started().state;
      expect(sut(progressing, { kind: 'analysisResult', stepIndex: 0, outcome: failed }, T0 + WINDOW_MS).state).toBe(progressing);
      expect(sut(progressing, { kind: 'analysisResult', stepIndex: 1, outcome: failed }, T0 + WINDOW_MS - 1).state).toBe(progressing);
      const paused = sut(progressing, { kind: 'pause' }).state;
      expect(sut(paused, { kind: 'analysisResult', stepIndex: 1, outcome: failed }, T0 + WINDOW_MS).state).toBe(paused);
    });
  });

  describe('pause steps', () => {
    const atTimedPause = (): RolloutState => sut(started().state, { kind: 'analysisResult', stepIndex: 1, outcome: passed }, T0 + WINDOW_MS).state;

    it('a timed pause holds until its duration has elapsed, then the rollout progresses to the next step', () => {
      const paused = atTimedPause();
      const resumeAt = (paused.pause?.resumeAt ?? 0);
      expect(sut(paused, { kind: 'tick' }, resumeAt - 1).state).toBe(paused);
      const { state, effects } = sut(paused, { kind: 'tick' }, resumeAt);
      expect(state).toMatchObject({ phase: 'paused', stepIndex: 4, pause: { cause: 'step', resumeAt: null } });
      expect(effects.map((effect) => effect.kind === 'transitioned' && `${effect.from}->${effect.to}`)).toEqual(['paused->progressing', 'progressing->progressing', 'progressing->paused']);
    });

    it('a pause until promoted ignores ticks, refuses resume naming the step and goes on when promoted', () => {
      const paused = atTimedPause();
      const untilPromoted = sut(paused, { kind: 'tick' }, paused.pause?.resumeAt ?? 0).state;
      expect(sut(untilPromoted, { kind: 'tick' }, T0 + 10 * PAUSE_MS).state).toBe(untilPromoted);
      expect(() => sut(untilPromoted, { kind: 'resume' })).toThrow(/paused by its step 5 \(pause until promoted\)/);
      const { state } = sut(untilPromoted, { kind: 'promote', full: false }, T0 + 10 * PAUSE_MS);
      expect(state).toMatchObject({ phase: 'promoted', canaryWeight: 100, pause: null });
    });

    it('an operator pause during a timed pause step is no longer released by the timer', () => {
      const paused = atTimedPause();
      const held = sut(paused, { kind: 'pause' }).state;
      expect(held.pause).toEqual({ cause: 'manual', resumeAt: null });
      expect(sut(held, { kind: 'tick' }, T0 + 10 * PAUSE_MS).state).toBe(held);
    });
  });

  describe('operator commands', () => {
    it('pause then resume restarts the interrupted analysis window', () => {
      const paused = sut(started().state, { kind: 'pause' }, T0 + 10_000);
      expect(paused.state).toMatchObject({ phase: 'paused', pause: { cause: 'manual' } });
      expect(sut(paused.state, { kind: 'tick' }, T0 + WINDOW_MS).effects).toEqual([]);
      const resumedAt = T0 + 50_000;
      const resumed = sut(paused.state, { kind: 'resume' }, resumedAt);
      expect(resumed.state).toMatchObject({ phase: 'progressing', stepIndex: 1, stepStartedAt: resumedAt, pause: null });
      expect(sut(resumed.state, { kind: 'tick' }, resumedAt + WINDOW_MS - 1).effects).toEqual([]);
    });

    it.each<RolloutPhase>(['pending', 'promoted', 'aborted', 'rolled-back'])('pause is refused when %s', (phase) => {
      expect(() => sut(stateIn(phase), { kind: 'pause' })).toThrow(`cannot pause a rollout that is ${phase}`);
    });

    it('pause is refused when already paused by an operator', () => {
      expect(() => sut(stateIn('paused', { pause: { cause: 'manual', resumeAt: null } }), { kind: 'pause' })).toThrow('cannot pause again a rollout that is paused');
    });

    it.each<RolloutPhase>(['pending', 'progressing', 'promoted', 'aborted', 'rolled-back'])('resume is refused when %s', (phase) => {
      expect(() => sut(stateIn(phase), { kind: 'resume' })).toThrow(`cannot resume a rollout that is ${phase}`);
    });

    it('promote of the current step skips an analysis', () => {
      const { state } = sut(started().state, { kind: 'promote', full: false }, T0 + 1);
      expect(state).toMatchObject({ phase: 'paused', stepIndex: 3, canaryWeight: 25 });
    });

    it.each<RolloutPhase>(['progressing', 'paused'])('full promote from %s puts all weight on the canary', (phase) => {
      const { state, effects } = sut(stateIn(phase, { canaryWeight: 5, stepIndex: 1 }), { kind: 'promote', full: true });
      expect(state).toMatchObject({ phase: 'promoted', canaryWeight: 100 });
      expect(effects).toContainEqual({ kind: 'setCanaryWeight', weight: 100 });
    });

    it.each<RolloutPhase>(['pending', 'promoted', 'aborted', 'rolled-back'])('promote is refused when %s', (phase) => {
      expect(() => sut(stateIn(phase), { kind: 'promote', full: true })).toThrow(`cannot promote a rollout that is ${phase}`);
    });

    it.each<RolloutPhase>(['pending', 'progressing', 'paused'])('abort from %s drains the canary and keeps the reason', (phase) => {
      const { state, effects } = sut(stateIn(phase, { canaryWeight: 25 }), { kind: 'abort', reason: 'latency doubled' });
      expect(state).toMatchObject({ phase: 'aborted', canaryWeight: 0, reason: 'latency doubled', pause: null });
      expect(effects[0]).toEqual({ kind: 'setCanaryWeight', weight: 0 });
    });

    it.each<RolloutPhase>(['promoted', 'aborted', 'rolled-back'])('abort is refused when %s', (phase) => {
      expect(() => sut(stateIn(phase), { kind: 'abort', reason: 'x' })).toThrow(`cannot abort a rollout that is ${phase}`);
    });

    it('an aborted rollout becomes rolled-back once confirmed, and only then', () => {
      const { state } = sut(stateIn('aborted'), { kind: 'confirmRolledBack' });
      expect(state.phase).toBe('rolled-back');
      for (const phase of ['pending', 'progressing', 'paused', 'promoted', 'rolled-back'] as const) {
        expect(() => sut(stateIn(phase), { kind: 'confirmRolledBack' })).toThrow(`that is ${phase}`);
      }
    });
  });

  it.each<RolloutPhase>(['pending', 'promoted', 'aborted', 'rolled-back'])('a tick changes nothing when %s', (phase) => {
    const state = stateIn(phase);
    expect(sut(state, { kind: 'tick' }, T0 + 10 * PAUSE_MS)).toEqual({ state, effects: [] });
  });

  it('every phase change is reported as a transition effect', () => {
    const transitions: string[] = [];
    let state = initialRolloutState(T0);
    const step = (input: RolloutInput, now: number): void => {
      const result = sut(state, input, now);
      state = result.state;
      result.effects.forEach((effect) => effect.kind === 'transitioned' && effect.from !== effect.to && transitions.push(`${effect.from}->${effect.to}`));
    };
    step({ kind: 'start' }, T0);
    step({ kind: 'pause' }, T0 + 1);
    step({ kind: 'resume' }, T0 + 2);
    step({ kind: 'abort', reason: 'operator' }, T0 + 3);
    step({ kind: 'confirmRolledBack' }, T0 + 4);
    expect(transitions).toEqual(['pending->progressing', 'progressing->paused', 'paused->progressing', 'progressing->aborted', 'aborted->rolled-back']);
  });

  describe('undo', () => {
    it('takes a promoted rollout back: the baseline is restored and the rollout ends rolled back', () => {
      const { state, effects } = sut(stateIn('promoted', { canaryWeight: 100, stepIndex: canarySteps.length }), { kind: 'undo', reason: 'by ops' });
      expect(state).toMatchObject({ phase: 'rolled-back', canaryWeight: 0, reason: 'promotion undone: by ops' });
      expect(effects).toEqual([{ kind: 'restoreBaseline' }, expect.objectContaining({ kind: 'transitioned', from: 'promoted', to: 'rolled-back', canaryWeight: 0 })]);
    });

    it.each<RolloutPhase>(['pending', 'progressing', 'paused', 'aborted', 'rolled-back'])('is refused when %s, naming the phase', (phase) => {
      expect(() => sut(stateIn(phase), { kind: 'undo', reason: 'x' })).toThrow(new DomainError(DomainErrorCode.Conflict, `cannot undo a rollout that is ${phase}`));
    });
  });

  describe('a canary that cannot take more traffic', () => {
    const unavailable = { canaryUnavailable: 'gateway gw-1 reports no available node for it' };

    it('holds the rollout before a step that would raise its weight, moving no weight', () => {
      const { state, effects } = sut(initialRolloutState(T0), { kind: 'start' }, T0, canarySteps, unavailable);
      expect(state).toMatchObject({ phase: 'paused', stepIndex: 0, canaryWeight: 0, pause: { cause: 'manual', resumeAt: null } });
      expect(state.reason).toBe('held before step 1 (setWeight 5): gateway gw-1 reports no available node for it; resume once it has an available node, or abort');
      expect(effects.some((effect) => effect.kind === 'setCanaryWeight')).toBe(false);
    });

    it('holds after a passed analysis, at the next weight step, and resume runs that step once it can', () => {
      const held = sut(started().state, { kind: 'analysisResult', stepIndex: 1, outcome: passed }, T0 + WINDOW_MS, canarySteps, unavailable).state;
      expect(held).toMatchObject({ phase: 'paused', stepIndex: 2, canaryWeight: 5 });
      const resumed = sut(held, { kind: 'resume' }, T0 + 2 * WINDOW_MS);
      expect(resumed.effects).toContainEqual({ kind: 'setCanaryWeight', weight: 25 });
      expect(resumed.state).toMatchObject({ phase: 'paused', stepIndex: 3, canaryWeight: 25 });
    });

    it('holds instead of promoting when every step is done or an operator promotes fully', () => {
      const allDone = sut(initialRolloutState(T0), { kind: 'start' }, T0, [{ kind: 'setWeight', weight: 0 }], unavailable).state;
      expect(allDone).toMatchObject({ phase: 'paused', stepIndex: 1 });
      expect(allDone.reason).toContain('held before the promotion');
      const full = sut(started().state, { kind: 'promote', full: true }, T0, canarySteps, unavailable).state;
      expect(full).toMatchObject({ phase: 'paused', canaryWeight: 5 });
    });

    it('still lowers the weight: an abort, or a step down, is never held', () => {
      expect(sut(started().state, { kind: 'abort', reason: 'x' }, T0, canarySteps, unavailable).effects).toContainEqual({ kind: 'setCanaryWeight', weight: 0 });
      const down = sut(stateIn('progressing', { canaryWeight: 50 }), { kind: 'tick' }, T0, [{ kind: 'setWeight', weight: 10 }, { kind: 'pause' }], unavailable);
      expect(down.effects).toContainEqual({ kind: 'setCanaryWeight', weight: 10 });
    });
  });
});
