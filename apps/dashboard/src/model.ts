// The API's answers, as far as the dashboard reads them (the full schemas: apps/strata/docs/openapi.json).
import type { JudgedMetric } from './verdicts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Stack {
  name: string;
  environments: { name: string }[];
}

export interface MapNode {
  address: string;
  url: string | null;
  declaredVersion: string | null;
  discoveredVersion: string | null;
  versionMismatch: boolean;
  health: string;
  lastSeen: string;
  component?: string;
}

export interface VersionMap {
  stack: string;
  environment: string;
  slots: { location: string; component: string; type: string; version: string; status: string; executionId: string | null; since: string; nodes: MapNode[] }[];
  deployedGroups: { location: string; versionGroup: string; members: { component: string; version: string }[]; deployedAt: string; deployedBy: string }[];
  nodes: MapNode[];
}

export interface Rollout {
  id: string;
  stack: string;
  name: string;
  environment: string;
  versionGroup: string;
  phase: string;
  stepIndex: number;
  steps: string[];
  canaryWeight: number;
  reason: string | null;
  baselineConfig: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface Transition {
  from: string | null;
  to: string;
  stepIndex: number;
  canaryWeight: number;
  reason: string;
  /** On a transition an analysis caused: the statistical judge's metrics with their p-values. */
  judgedMetrics?: JudgedMetric[] | null;
  actor: string;
  at: string;
}

export interface SeriesLabels {
  stack: string;
  environment: string;
  component: string;
  stackConfig: string | null;
  node: string | null;
  metric: string;
}

export interface Series {
  id: string;
  labels: SeriesLabels;
}

export interface Forecast {
  madeAt: string;
  stepMs: number;
  horizon: number;
  level: number;
  points: { at: string; value: number; lower: number; upper: number }[];
  model: { kind: string; method: string; reason: string };
}

export interface Anomaly {
  id: string;
  at: string;
  score: number;
  severity: string;
  evidence: { observed: number; expected: number | null };
}

export interface ExecutionStep {
  index: number;
  component: string;
  type: string;
  action: string;
  fromVersion: string | null;
  toVersion: string | null;
  status: string;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface Execution {
  id: string;
  kind: string;
  stack: string;
  environment: string;
  versionGroup: string;
  fromVersionGroup: string | null;
  status: string;
  reason: string | null;
  actor: string;
  steps: ExecutionStep[];
  createdAt: string;
  updatedAt: string;
}

export interface AuditEntry {
  service: string;
  id: string;
  at: string;
  principal: string;
  role: string;
  action: string;
  target: string;
  status: number;
}

export interface RollbackTrigger {
  name: string;
  spec: { when?: string; action?: string; window?: string; for?: string; dryRun?: boolean; scope?: Record<string, string> };
  source: string;
  rollout: string | null;
  lastFiredAt: string | null;
}

export interface TriggerFiring {
  id: string;
  trigger: string;
  when: string;
  action: string;
  dryRun: boolean;
  rollout: string | null;
  versionGroup: string | null;
  evidence: string;
  status: string;
  outcome: string;
  executionId: string | null;
  firedAt: string;
}

export interface Proposal {
  id: string;
  kind: string;
  stack: string;
  environment: string;
  component: string;
  title: string;
  status: string;
  reason: string;
  change: Record<string, unknown>;
  evidence: { path?: string; statements?: { query: string; calls: number | null; meanExecTimeMs: number | null }[] } & Record<string, unknown>;
  expected: Record<string, number>;
  staging: Record<string, unknown> | null;
  observed: Record<string, unknown> | null;
  createdBy: string;
  createdAt: string;
  transitions?: { from: string | null; to: string; actor: string; reason: string; at: string }[];
}
