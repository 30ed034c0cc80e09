import { planDeploy } from './execution-plan';
import { ExecutionState, currentStep, newExecution, stepsNotRun, transition } from './execution-state';

function execution(): ExecutionState {
  const outcome = planDeploy({
    toVersionGroup: 'g2',
    fromVersionGroup: 'g1',
    members: [{ component: 'db', type: 'db-schema', version: '2.0.0', dependencies: [] }, { component: 'api', type: 'app', version: '2.0.0', dependencies: [{ component: 'db', range: '^2' }] }],
    deployed: [],
  });
  if (!outcome.ok) throw new Error(outcome.message);
  return newExecution('e1', outcome.plan);
}

const run = (state: ExecutionState, index: number, at: number) => transition(transition(state, { type: 'step-started', index, at }), { type: 'step-succeeded', index, at: at + 1 });

describe('the execution state machine', () => {
  it('gives every step an idempotency key of its own', () => {
    expect(execution().steps.map((step) => step.idempotencyKey)).toEqual(['e1:0:apply:db@2.0.0', 'e1:1:apply:api@2.0.0', 'e1:2:traffic:g2@g2']);
  });

  it('runs the steps in order to succeeded, and has no step to run before it starts or after it ends', () => {
    let state = execution();
    expect(currentStep(state)).toBeUndefined();
    state = transition(state, { type: 'start', at: 0 });
    expect(currentStep(state)?.index).toBe(0);
    state = run(state, 0, 1);
    state = run(state, 1, 3);
    expect(state.status).toBe('running');
    state = run(state, 2, 5);
    expect(state.status).toBe('succeeded');
    expect(currentStep(state)).toBeUndefined();
    expect(state.steps.map((step) => [step.startedAt, step.finishedAt])).toEqual([[1, 2], [3, 4], [5, 6]]);
  });

  it('refuses a step out of order, a second start and a step that is not running', () => {
    const started = transition(execution(), { type: 'start', at: 0 });
    expect(() => transition(started, { type: 'step-started', index: 1, at: 1 })).toThrow('execution e1 is running: step 1 is not the step to run (step 0 is)');
    expect(() => transition(started, { type: 'start', at: 1 })).toThrow('only a pending execution starts');
    expect(() => transition(started, { type: 'step-succeeded', index: 0, at: 1 })).toThrow('step 0 is not running');
  });

  it('resumes a step found running after a crash: it stays the current step', () => {
    const crashed = transition(transition(execution(), { type: 'start', at: 0 }), { type: 'step-started', index: 0, at: 1 });
    expect(currentStep(crashed)).toMatchObject({ index: 0, status: 'running' });
    const resumed = transition(crashed, { type: 'step-started', index: 0, at: 9 });
    expect(resumed.steps[0]).toMatchObject({ status: 'running', startedAt: 1 });
  });

  it('stops at a failed step naming it and its error, lists the steps not run, and retries from that step', () => {
    let state = run(transition(execution(), { type: 'start', at: 0 }), 0, 1);
    state = transition(transition(state, { type: 'step-started', index: 1, at: 3 }), { type: 'step-failed', index: 1, at: 4, error: 'no healthy node of api@2.0.0' });
    expect(state.status).toBe('failed');
    expect(state.steps[1]).toMatchObject({ status: 'failed', error: 'no healthy node of api@2.0.0' });
    expect(stepsNotRun(state).map((step) => step.index)).toEqual([2]);
    expect(() => transition(state, { type: 'step-started', index: 2, at: 5 })).toThrow('is failed');
    state = transition(state, { type: 'retry', at: 6 });
    expect(currentStep(state)?.index).toBe(1);
    state = run(state, 1, 7);
    expect(state.steps[1]?.error).toBeNull();
    expect(run(state, 2, 9).status).toBe('succeeded');
  });

  it('abandons a failed or pending execution, and nothing else', () => {
    const failed = transition(transition(transition(execution(), { type: 'start', at: 0 }), { type: 'step-started', index: 0, at: 1 }), { type: 'step-failed', index: 0, at: 2, error: 'x' });
    expect(transition(failed, { type: 'abandon', at: 3 }).status).toBe('abandoned');
    expect(transition(execution(), { type: 'abandon', at: 3 }).status).toBe('abandoned');
    expect(() => transition(transition(execution(), { type: 'start', at: 0 }), { type: 'abandon', at: 1 })).toThrow('only a failed or pending execution is abandoned');
    expect(() => transition(execution(), { type: 'retry', at: 1 })).toThrow('only a failed execution is retried');
  });

  it('stops a running execution at its current step, started or not, as a failure of that step: retried from it, or abandoned', () => {
    const waiting = transition(run(transition(execution(), { type: 'start', at: 0 }), 0, 1), { type: 'step-started', index: 1, at: 3 });
    const stopped = transition(waiting, { type: 'stop', at: 9, error: 'stopped by alice: nodes never came' });
    expect(stopped.status).toBe('failed');
    expect(stopped.steps.map((step) => step.status)).toEqual(['succeeded', 'failed', 'pending']);
    expect(stopped.steps[1]).toMatchObject({ startedAt: 3, finishedAt: 9, error: 'stopped by alice: nodes never came' });
    expect(stepsNotRun(stopped).map((step) => step.index)).toEqual([2]);
    expect(currentStep(transition(stopped, { type: 'retry', at: 10 }))?.index).toBe(1);
    expect(transition(stopped, { type: 'abandon', at: 10 }).status).toBe('abandoned');

    const between = run(transition(execution(), { type: 'start', at: 0 }), 0, 1);
    expect(transition(between, { type: 'stop', at: 5, error: 'stopped' }).steps[1]).toMatchObject({ status: 'failed', startedAt: null, error: 'stopped' });
  });

  it('stops nothing but a running execution', () => {
    const stop = { type: 'stop', at: 1, error: 'stopped' } as const;
    expect(() => transition(execution(), stop)).toThrow('execution e1 is pending: only a running execution is stopped');
    expect(() => transition(transition(transition(execution(), { type: 'start', at: 0 }), stop), stop)).toThrow('execution e1 is failed: only a running execution is stopped');
    const done = [0, 1, 2].reduce((state, index) => run(state, index, index * 2), transition(execution(), { type: 'start', at: 0 }));
    expect(() => transition(done, stop)).toThrow('is succeeded: only a running execution is stopped');
  });

  it('succeeds at once when there is nothing to do', () => {
    expect(transition(newExecution('e0', { kind: 'deploy', fromVersionGroup: null, toVersionGroup: 'g', steps: [] }), { type: 'start', at: 0 }).status).toBe('succeeded');
  });
});
