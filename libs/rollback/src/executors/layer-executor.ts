import { EntityManager } from 'typeorm';
import { CatalogVersionEntity } from '../entities/catalog.entity';
import { ExecutionEntity, ExecutionStepEntity } from '../entities/execution.entity';

/** Everything an executor sees of the step it advances. */
export interface StepContext {
  execution: ExecutionEntity;
  step: ExecutionStepEntity;
  /** The version the step moves away from (revert) or to (apply); null for a traffic step. */
  version: CatalogVersionEntity | null;
  /** A revert's version to restore; null when the component leaves the environment. */
  restored: CatalogVersionEntity | null;
  /** The rollback service's transaction, which holds the execution's row lock. */
  manager: EntityManager;
  now: Date;
}

export type StepProgress = { status: 'succeeded'; outcome: string } | { status: 'waiting'; outcome: string } | { status: 'failed'; error: string };

/**
 * Applies and reverts one layer type. An executor is idempotent under the step's idempotency key:
 * a step found running after a crash is advanced again, and must not apply its side effect twice
 * (a ledger row, a request id, an actions-done counter in the step's detail, the outbox).
 */
export interface LayerExecutor {
  /** The component types it executes (`traffic` is the type of traffic steps). */
  readonly types: readonly string[];
  /** Runs once, in the transaction that marks the step running: what must be sent exactly once goes to the outbox here. */
  begin?(context: StepContext): Promise<void>;
  /** One advance of the step: done, still waiting (called again on the next tick), or failed. */
  progress(context: StepContext): Promise<StepProgress>;
  /** What the step will do, for a dry run: SQL, requests, waits. */
  describe(context: Omit<StepContext, 'manager' | 'execution' | 'now'>): string[];
  /** A reason the step cannot run, found before the execution starts (a target variable that is not set); the field it concerns. */
  preflight?(context: Omit<StepContext, 'manager' | 'execution' | 'now'>): { field: string; message: string } | undefined;
}

export const LAYER_EXECUTORS = Symbol('strata:rollback:layer-executors');

/** Executors by component type: a new type plugs in by adding its executor, the engine unchanged. Unknown types fall to `fallback`. */
export class LayerExecutorRegistry {
  private readonly byType = new Map<string, LayerExecutor>();

  constructor(
    executors: readonly LayerExecutor[],
    private readonly fallback: LayerExecutor,
  ) {
    for (const executor of executors) {
      for (const type of executor.types) {
        if (this.byType.has(type)) {
          throw new Error(`two layer executors claim component type '${type}'`);
        }
        this.byType.set(type, executor);
      }
    }
  }

  of(type: string): LayerExecutor {
    return this.byType.get(type) ?? this.fallback;
  }
}
