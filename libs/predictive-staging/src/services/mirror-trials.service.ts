import { Inject, Injectable } from '@nestjs/common';
import { DomainError, DomainViolation, proposalTransition } from '@strata/domain';
import { Logger } from '@strata/observability';
import { PREDICTIVE_STAGING_SETTINGS, PredictiveStagingSettings } from '../config/predictive-staging-settings';
import { MirrorJudgeOptions, MirrorJudgement, judgeMirrorTrial } from '../domain/mirror-verdict';
import { NodeShareCheck, checkNodeShares, withNodeShares } from '../domain/node-share-check';
import { MirrorTrialsRepository } from '../repositories/mirror-trials.repository';
import { Json, ProposalRecord, ProposalsRepository } from '../repositories/proposals.repository';
import { PredictiveTransactions } from '../repositories/transactions';
import { OwnerApis, Problem, describeProblem } from './owner-apis';
import { ProposalsService } from './proposals.service';

export interface MirrorTrialRequest {
  /** The staging config: a stack config of the routing policy (weight 0, its own nodes); by default the proposal's version group. */
  stackConfig?: string;
  /** Share of production's requests copied to it, in (0, 1]. */
  sampleRate: number;
  windowSeconds: number;
  /** Requests each side must serve for a pass; by default PREDICTIVE_MIRROR_MIN_REQUESTS. */
  minRequests?: number;
  /** The copies' JSON bodies compared with production's in the gateway, leaving out `ignoreFields`. */
  compareBodies?: { ignoreFields: string[]; maxBytes?: number; maxMismatchShare?: number };
  /** lb-weights: how far (absolute share) a node's share of the copies may be from what its proposed weight asks; 0.1 by default. */
  maxShareDeviation?: number;
}

/** Where a trial's copies go: the staging config, and for lb-weights the weights they are spread by over its nodes. */
interface MirrorTarget {
  stackConfig: string;
  nodeWeights?: Record<string, number>;
}

const DEFAULT_SHARE_DEVIATION = 0.1;

const DEFAULT_COMPARED_BYTES = 65_536;
const MIRROR_BACKSTOP_MS = 60_000;
/** Two owner calls (mirror off, and their 30 s timeouts) and storing the verdict. */
const OWNER_CALLS_MS = 90_000;

/** The routing policy as routing-control answers it (only what a trial reads). */
interface PolicyAnswer {
  version: number;
  config: { stableConfig: string };
}

const POLL_MS = 250;

/**
 * Validates a staged proposal with mirrored traffic: routing-control (the caller's token) mirrors a
 * sample of production's requests to the staging config for the window; the gateway discards the
 * copies' answers and reports them as `gateway_mirror_*` KPIs beside production's `gateway_*`; once
 * the window's KPI windows have arrived, the canary judge compares the two (judgeMirrorTrial) and
 * the proposal is validated (pass), rejected (fail) or left staged (too little traffic to decide),
 * the verdict and its figures under `staging.mirror`. The mirror is switched off when the window
 * ends, also when anything failed after it was switched on. The request waits for all of it.
 */
@Injectable()
export class MirrorTrialsService {
  private readonly logger = new Logger('mirror-trials');

  constructor(
    private readonly proposals: ProposalsService,
    private readonly records: ProposalsRepository,
    private readonly trials: MirrorTrialsRepository,
    private readonly transactions: PredictiveTransactions,
    private readonly owners: OwnerApis,
    @Inject(PREDICTIVE_STAGING_SETTINGS) private readonly settings: PredictiveStagingSettings,
  ) {}

  async validate(id: string, request: MirrorTrialRequest, actor: string, authorization: string): Promise<ProposalRecord> {
    const { proposal } = await this.proposals.get(id);
    proposalTransition(proposal.status, 'validate');
    const target = this.checked(proposal, request);
    const { stackConfig } = target;
    const trialId = await this.transactions.run((manager) => this.trials.claim(manager, { proposalId: id, stack: proposal.stack, environment: proposal.environment, stackConfig, sampleRate: request.sampleRate, createdBy: actor }, this.staleAfterMs()));
    let judgement: MirrorJudgement;
    let trial: Json;
    try {
      const window = await this.mirrorFor(proposal, trialId, target, request, authorization);
      const judged = await this.judge(trialId, window.endsAt, { minRequests: request.minRequests ?? this.settings.mirror.minRequests, bodyMismatchTolerance: request.compareBodies?.maxMismatchShare ?? 0 });
      const shares = target.nodeWeights ? await this.transactions.run(async (manager) => checkNodeShares(await this.trials.copiesByNode(manager, trialId), target.nodeWeights ?? {}, request.maxShareDeviation ?? DEFAULT_SHARE_DEVIATION)) : null;
      judgement = shares ? { ...judged.judgement, ...withNodeShares(judged.judgement, shares) } : judged.judgement;
      trial = {
        method: 'mirrored-traffic',
        stackConfig,
        stableConfig: window.stableConfig,
        sampleRate: request.sampleRate,
        compareBodies: request.compareBodies ? { ...this.comparison(request.compareBodies), maxMismatchShare: request.compareBodies.maxMismatchShare ?? 0 } : null,
        startedAt: window.startedAt.toISOString(),
        endsAt: window.endsAt.toISOString(),
        mirrorSwitchedOff: window.switchedOff,
        // False: judged on the windows that had arrived by PREDICTIVE_MIRROR_SETTLE_MS, the last ones missing.
        windowsComplete: judged.windowsComplete,
        settledMs: judged.settledMs,
        ...judgementJson(judgement),
        ...(shares ? lbWeightsJson(target, shares) : {}),
      };
    } catch (error) {
      await this.transactions.run((manager) => this.trials.finish(manager, trialId, 'failed'));
      throw error;
    }
    await this.transactions.run((manager) => this.trials.finish(manager, trialId, 'judged'));
    return this.record(proposal, judgement, trial, actor);
  }

  /**
   * What the trial mirrors to: an app-version proposal's version group (a staging config of its own
   * nodes), or an lb-weights proposal's stack config with the proposed weights (the copies land on
   * production's nodes by them); bounds checked against the settings.
   */
  private checked(proposal: ProposalRecord, request: MirrorTrialRequest): MirrorTarget {
    const violations: DomainViolation[] = [];
    const lbStackConfig = proposal.change['stackConfig'];
    if (proposal.kind !== 'app-version' && proposal.kind !== 'lb-weights') {
      violations.push({ field: 'kind', message: `is ${proposal.kind}; a mirrored trial runs an app-version proposal's version group or an lb-weights proposal's weights` });
    }
    if (proposal.kind === 'lb-weights' && request.stackConfig === undefined && typeof lbStackConfig !== 'string') {
      violations.push({ field: 'mirror.stackConfig', message: 'is required: the proposal names no stack config to try its weights on' });
    }
    if (request.maxShareDeviation !== undefined && !(request.maxShareDeviation > 0 && request.maxShareDeviation <= 1)) {
      violations.push({ field: 'mirror.maxShareDeviation', message: `must be in (0, 1], got ${request.maxShareDeviation}` });
    }
    if (request.windowSeconds > this.settings.mirror.maxWindowSeconds) {
      violations.push({ field: 'mirror.windowSeconds', message: `must be at most ${this.settings.mirror.maxWindowSeconds} (PREDICTIVE_MIRROR_MAX_WINDOW_SECONDS), got ${request.windowSeconds}` });
    }
    if (!(request.sampleRate > 0 && request.sampleRate <= 1)) {
      violations.push({ field: 'mirror.sampleRate', message: `must be in (0, 1], got ${request.sampleRate}` });
    }
    if (violations.length > 0) throw DomainError.invalid('the mirrored trial cannot run', violations);
    if (proposal.kind === 'lb-weights') {
      return { stackConfig: request.stackConfig ?? String(lbStackConfig), nodeWeights: { ...(proposal.change['weights'] as Record<string, number>) } };
    }
    return { stackConfig: request.stackConfig ?? String(proposal.change['versionGroup']) };
  }

  /** Mirror on, wait out the window, mirror off whatever happened; answers when it ran. */
  private async mirrorFor(proposal: ProposalRecord, trialId: string, target: MirrorTarget, request: MirrorTrialRequest, authorization: string): Promise<{ stableConfig: string; startedAt: Date; endsAt: Date; switchedOff: boolean }> {
    const path = `/v1/stacks/${encodeURIComponent(proposal.stack)}/environments/${encodeURIComponent(proposal.environment)}/routing-policy/mirror`;
    // routing-control removes the mirror itself a minute past the window, should this process die before it does.
    const until = new Date(Date.now() + request.windowSeconds * 1_000 + MIRROR_BACKSTOP_MS).toISOString();
    const mirror = { ...target, sampleRate: request.sampleRate, until, ...(request.compareBodies ? { compareBodies: this.comparison(request.compareBodies) } : {}) };
    const answer = await this.owners.call<PolicyAnswer & Problem>('routing-control', 'PUT', path, authorization, mirror);
    if (answer.status !== 200) throw refusal(answer.status, answer.body, proposal);
    const startedAt = new Date();
    const endsAt = new Date(startedAt.getTime() + request.windowSeconds * 1_000);
    let switchedOff = false;
    try {
      await this.transactions.run((manager) => this.trials.started(manager, trialId, answer.body.config.stableConfig, startedAt, endsAt));
      await sleep(endsAt.getTime() - Date.now());
    } finally {
      switchedOff = await this.switchOff(path, authorization, trialId);
    }
    return { stableConfig: answer.body.config.stableConfig, startedAt, endsAt, switchedOff };
  }

  /** A running trial this long past its window (settling, switching off, storing included) belongs to a process that died. */
  private staleAfterMs(): number {
    return this.settings.mirror.settleMs + MIRROR_BACKSTOP_MS + OWNER_CALLS_MS;
  }

  /** What the gateway is asked to compare: the fields left out and the bytes kept a side. */
  private comparison(compare: NonNullable<MirrorTrialRequest['compareBodies']>): { ignoreFields: string[]; maxBytes: number } {
    return { ignoreFields: compare.ignoreFields, maxBytes: compare.maxBytes ?? DEFAULT_COMPARED_BYTES };
  }

  private async switchOff(path: string, authorization: string, trialId: string): Promise<boolean> {
    try {
      const answer = await this.owners.call<Problem>('routing-control', 'DELETE', path, authorization);
      if (answer.status === 200) return true;
      this.logger.error('the mirror of a trial could not be switched off', { trialId, status: answer.status, problem: describeProblem(answer.body) });
    } catch (error) {
      this.logger.error('the mirror of a trial could not be switched off', { trialId, error: String(error) });
    }
    return false;
  }

  /** Waits until both sides' KPI windows reach the window's end (at most PREDICTIVE_MIRROR_SETTLE_MS), then judges what arrived. */
  private async judge(trialId: string, endsAt: Date, options: MirrorJudgeOptions): Promise<{ judgement: MirrorJudgement; windowsComplete: boolean; settledMs: number }> {
    const settling = Date.now();
    let complete = false;
    while (!complete && Date.now() - settling < this.settings.mirror.settleMs) {
      const arrived = await this.transactions.run((manager) => this.trials.arrivedUntil(manager, trialId));
      complete = arrived.production !== null && arrived.mirror !== null && arrived.production >= endsAt.getTime() && arrived.mirror >= endsAt.getTime();
      if (!complete) await sleep(POLL_MS);
    }
    const windows = await this.transactions.run((manager) => this.trials.windows(manager, trialId));
    return { judgement: judgeMirrorTrial(windows, options), windowsComplete: complete, settledMs: Date.now() - settling };
  }

  /** Pass → validated, fail → rejected (a dry run that refused still rejects), inconclusive → stays staged with the figures. */
  private async record(proposal: ProposalRecord, judgement: MirrorJudgement, trial: Json, actor: string): Promise<ProposalRecord> {
    const staging = { ...(proposal.staging ?? {}), mirror: trial };
    const summary = `mirrored trial ${judgement.verdict}: ${judgement.findings[0]}`;
    if (judgement.verdict === 'inconclusive') {
      return this.transactions.run(async (manager) => {
        await this.records.updateStaging(manager, proposal.id, staging);
        return { ...proposal, staging };
      });
    }
    const dryRunRefused = proposal.staging?.['validated'] === false;
    return this.proposals.move(proposal.id, 'validate', actor, () =>
      judgement.verdict === 'pass' && !dryRunRefused
        ? { to: 'validated', reason: summary, staging }
        : { to: 'rejected', reason: dryRunRefused ? `staging did not confirm it: ${String(proposal.staging?.['reason'])}; ${summary}` : summary, staging },
    );
  }
}

function judgementJson(judgement: MirrorJudgement): Json {
  return JSON.parse(JSON.stringify(judgement)) as Json;
}

/** An lb-weights trial's own figures: the weights the copies were spread by and how they split over the nodes. */
function lbWeightsJson(target: MirrorTarget, shares: NodeShareCheck): Json {
  return { nodeWeights: { ...target.nodeWeights }, nodeShares: JSON.parse(JSON.stringify(shares)) as Json };
}

/**
 * routing-control's refusal, named by the trial's fields: no policy there → environment; a bad
 * mirror → `mirror.stackConfig` or `mirror.sampleRate`, the policy's names, which are the request's too.
 */
function refusal(status: number, problem: Problem, proposal: ProposalRecord): DomainError {
  if (status === 404) {
    return DomainError.invalid(`no routing policy routes ${proposal.stack}/${proposal.environment}: there is no production traffic to mirror`, [{ field: 'environment', message: describeProblem(problem) }]);
  }
  const violations = problem.errors ?? [];
  return DomainError.invalid(`routing-control refused the mirror (${status}): ${describeProblem(problem)}`, violations.length > 0 ? violations : [{ field: 'mirror.stackConfig', message: describeProblem(problem) }]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
