import { Inject, Injectable } from '@nestjs/common';
import { ManifestDocument, parseManifest } from '@strata/domain';
import { setTimeout as sleep } from 'node:timers/promises';
import { EntityManager } from 'typeorm';
import { ComponentsRepository } from '../repositories/components.repository';
import { RolloutsRepository } from '../repositories/rollouts.repository';
import { RegistryTransactions } from '../repositories/transactions';
import { AppliedChange, ApplyChange, MANIFEST_KIND_HANDLERS, ManifestKinds, inDocument } from './manifest-kinds/manifest-kind';
import { outcomeDetail, outcomeOf } from './manifest-kinds/rollout.manifest-kind';

export type { ApplyAction, ApplyChange, RolloutOutcome } from './manifest-kinds/manifest-kind';

export interface ApplyResult {
  dryRun: boolean;
  changes: ApplyChange[];
}

export interface ApplyOptions {
  dryRun: boolean;
  /** How long to wait for routing-control's answers to the Rollouts of the manifest; 0 does not wait. */
  waitMs: number;
}

/** How often a waiting apply looks for routing-control's answer: a primary-key read, for at most the wait. */
const ANSWER_POLL_MS = 100;

/**
 * `POST /v1/apply`: a multi-document manifest applied in one transaction, all or nothing,
 * idempotently (what exists with the same content is `unchanged`), each document by the handler of
 * its kind (manifest-kinds/). A dry run does the same work in a transaction that is rolled back, so
 * its diff is exactly what a real apply would do.
 *
 * Rollouts are run by routing-control, another service, which may still refuse one (no routing
 * policy, the group not deployed there, another rollout active). What the registry can check
 * itself (the spec, the stack's environments and groups) refuses the whole manifest before
 * anything is applied; for the rest, the committed apply waits a bounded time for
 * routing-control's answer to each Rollout and reports it, started, refused or still pending.
 */
@Injectable()
export class ApplyService {
  constructor(
    private readonly transactions: RegistryTransactions,
    @Inject(MANIFEST_KIND_HANDLERS) private readonly kinds: ManifestKinds,
    private readonly components: ComponentsRepository,
    private readonly rollouts: RolloutsRepository,
  ) {}

  async apply(manifest: string, options: ApplyOptions, actor: string): Promise<ApplyResult> {
    const { dryRun } = options;
    const order = (document: ManifestDocument) => this.kinds.of(document.kind).order;
    const documents = [...parseManifest(manifest)].sort((a, b) => order(a) - order(b) || a.index - b.index);
    const work = (manager: EntityManager) => this.applyAll(documents, actor, dryRun, manager);
    const changes = dryRun ? await this.transactions.rehearse(work) : await this.transactions.run(work);
    const ordered = changes.sort((a, b) => a.index - b.index).map((entry) => entry.change);
    if (!dryRun) {
      await this.reportAnswers(ordered, options.waitMs);
    }
    return { dryRun, changes: ordered.map(({ declaration: _declaration, ...change }) => change) };
  }

  private async applyAll(documents: readonly ManifestDocument[], actor: string, dryRun: boolean, manager: EntityManager): Promise<{ index: number; change: AppliedChange }[]> {
    await this.components.lockForApply(manager, documents.map((document) => this.kinds.of(document.kind).scope(document)));
    const changes: { index: number; change: AppliedChange }[] = [];
    for (const document of documents) {
      const handler = this.kinds.of(document.kind);
      try {
        changes.push({ index: document.index, change: await handler.apply({ document, actor, dryRun, manager }) });
      } catch (error) {
        throw inDocument(document, error, handler.fieldPrefix);
      }
    }
    return changes;
  }

  /** Waits, up to `waitMs`, until routing-control has answered every Rollout of the manifest, and reports each answer. */
  private async reportAnswers(changes: AppliedChange[], waitMs: number): Promise<void> {
    const declared = changes.flatMap((change) => (change.declaration ? [{ change, ...change.declaration }] : []));
    if (declared.length === 0) {
      return;
    }
    const ids = declared.map(({ row }) => row.id);
    const deadline = Date.now() + waitMs;
    let rows = await this.rollouts.findByIds(this.transactions.reader, ids);
    while (rows.some((row) => row.status === 'pending') && Date.now() < deadline) {
      await sleep(Math.min(ANSWER_POLL_MS, deadline - Date.now()));
      rows = await this.rollouts.findByIds(this.transactions.reader, ids);
    }
    for (const { change, row, stack } of declared) {
      // A row gone meanwhile (its stack deleted) stays as it was declared: pending.
      const outcome = outcomeOf(rows.find((candidate) => candidate.id === row.id) ?? row, waitMs);
      change.rollout = outcome;
      change.detail = outcomeDetail(outcome, stack);
    }
  }
}
