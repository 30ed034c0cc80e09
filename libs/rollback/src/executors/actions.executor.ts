import { Inject, Injectable } from '@nestjs/common';
import { HealthCheck, RollbackAction } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { ROLLBACK_TUNING, RollbackTuning } from '../config/rollback-tuning';
import { LayerExecutor, StepContext, StepProgress } from './layer-executor';

/** Attempts of one HTTP action before the step fails; the wait doubles from 1 s between them. */
const HTTP_ATTEMPTS = 4;

/**
 * api-contract, infra-config and any type without an executor of its own. Forward: the version's
 * HTTP health check must answer as declared (the contract or config is live). Backward: the
 * version's `http` and `event` rollback actions, in order, one per tick, each counted in the
 * step's detail when done, so a resumed step starts after the last one done. An HTTP action
 * carries `Idempotency-Key: <step key>:<action>`: a call the process died during is made again
 * with the same key, for the receiver to recognise. `routing` actions are the traffic step's job.
 */
@Injectable()
export class ActionsExecutor implements LayerExecutor {
  readonly types = ['api-contract', 'infra-config'];

  constructor(
    private readonly events: EventOutbox,
    @Inject(ROLLBACK_TUNING) private readonly tuning: RollbackTuning,
  ) {}

  describe(context: Pick<StepContext, 'step' | 'version'>): string[] {
    if (context.step.action === 'apply') {
      const check = context.version?.healthCheck;
      return check && 'url' in check ? [`GET ${check.url} must answer ${check.expectStatus ?? 200}`] : [];
    }
    return (context.version?.rollback ?? []).map(describeAction);
  }

  async progress(context: StepContext): Promise<StepProgress> {
    if (context.step.action === 'apply') {
      return this.probe(context, context.version?.healthCheck ?? null);
    }
    const actions = context.version?.rollback ?? [];
    const done = context.step.detail.actionsDone ?? 0;
    const action = actions[done];
    if (!action) return { status: 'succeeded', outcome: actions.length === 0 ? 'no rollback action declared' : `${actions.length} rollback action(s) done` };
    const result = await this.run(context, action, done);
    if (result.status === 'succeeded') {
      context.step.detail = { ...context.step.detail, actionsDone: done + 1, attempts: 0 };
      return done + 1 < actions.length ? { status: 'waiting', outcome: result.outcome } : { status: 'succeeded', outcome: `${actions.length} rollback action(s) done` };
    }
    return result;
  }

  private async run(context: StepContext, action: RollbackAction, index: number): Promise<StepProgress> {
    if ('routing' in action) return { status: 'succeeded', outcome: 'routing restored by the traffic step' };
    if ('sql' in action) return { status: 'failed', error: `rollback[${index}] is an sql action, which only a db-schema component can run` };
    if ('event' in action) {
      const { execution, step } = context;
      await this.events.record(
        context.manager,
        this.events.create('io.strata.rollback.action.requested.v1', execution.stack, {
          executionId: execution.id,
          idempotencyKey: `${step.idempotencyKey}:${index}`,
          stack: execution.stack,
          environment: execution.environment,
          component: step.component,
          version: step.fromVersion ?? '',
          actionType: action.event.type,
        }),
      );
      return { status: 'succeeded', outcome: `event ${action.event.type} published` };
    }
    const what = `rollback[${index}] ${action.http.method} ${action.http.url}`;
    return this.backingOff(context, what) ?? this.retried(context, await this.call(action.http.url, action.http.method, action.http.expectStatus, `${context.step.idempotencyKey}:${index}`), what);
  }

  private async probe(context: StepContext, check: HealthCheck | null): Promise<StepProgress> {
    if (!check || !('url' in check)) return { status: 'succeeded', outcome: 'no HTTP health check declared: nothing to verify' };
    const what = `health check GET ${check.url}`;
    return this.backingOff(context, what) ?? this.retried(context, await this.call(check.url, 'GET', check.expectStatus ?? 200, undefined, check.expect), what);
  }

  /** After a failed attempt the next waits 1 s, then 2 s, 4 s…: the step stays running meanwhile. */
  private backingOff(context: StepContext, what: string): StepProgress | undefined {
    const attempts = context.step.detail.attempts ?? 0;
    const since = context.now.getTime() - (context.step.detail.lastAttemptAt ?? 0);
    return attempts > 0 && since < 1_000 * 2 ** (attempts - 1) ? { status: 'waiting', outcome: `${what}: waiting to try again (attempt ${attempts + 1} of ${HTTP_ATTEMPTS})` } : undefined;
  }

  /** A failed attempt is tried again, up to HTTP_ATTEMPTS; then the step fails with the last error. */
  private retried(context: StepContext, attempt: string | undefined, what: string): StepProgress {
    if (attempt === undefined) return { status: 'succeeded', outcome: `${what} answered as expected` };
    const attempts = (context.step.detail.attempts ?? 0) + 1;
    context.step.detail = { ...context.step.detail, attempts, lastAttemptAt: context.now.getTime() };
    if (attempts >= HTTP_ATTEMPTS) return { status: 'failed', error: `${what} failed ${attempts} times; last: ${attempt}` };
    return { status: 'waiting', outcome: `${what} failed (attempt ${attempts} of ${HTTP_ATTEMPTS}): ${attempt}` };
  }

  /** undefined when the answer is as expected, else what was wrong. */
  private async call(url: string, method: string, expectStatus: number, idempotencyKey: string | undefined, expectBody?: string): Promise<string | undefined> {
    try {
      const response = await fetch(url, { method, signal: AbortSignal.timeout(this.tuning.httpActionTimeoutMs), headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} });
      const body = await response.text();
      if (response.status !== expectStatus) return `answered ${response.status}, expected ${expectStatus}`;
      if (expectBody !== undefined && !body.includes(expectBody)) return `the answer does not contain '${expectBody}'`;
      return undefined;
    } catch (error) {
      return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }
}

function describeAction(action: RollbackAction): string {
  if ('http' in action) return `${action.http.method} ${action.http.url} must answer ${action.http.expectStatus}`;
  if ('event' in action) return `publish ${action.event.type}`;
  if ('routing' in action) return 'routing: restored by the traffic step';
  return 'sql: only a db-schema component runs it';
}
