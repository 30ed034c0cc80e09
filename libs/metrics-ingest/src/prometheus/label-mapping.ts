import { kpiSeriesLabels } from '@strata/contracts';
import { SeriesLabels } from '../domain/series-batch';

/**
 * How Prometheus labels become a Strata series (documented in the module README):
 * - `__name__` → metric;
 * - `stack`, `environment` → the same; `stack_config` → stackConfig;
 * - `component` → component, else `job`; `node` → node, else `instance`;
 * - a label still missing takes the request's default (query parameters of the intake);
 * - every other label, `job` and `instance` included, stays in the series' extra labels, so two
 *   Prometheus series never collapse into one Strata series.
 */
export const MAPPED_PROMETHEUS_LABELS = new Set(['__name__', 'stack', 'environment', 'component', 'stack_config', 'node']);

export interface LabelDefaults {
  stack?: string;
  environment?: string;
  component?: string;
  stackConfig?: string;
  node?: string;
}

export type LabelMapping = { ok: true; labels: SeriesLabels } | { ok: false; reason: string };

export function mapPrometheusLabels(labels: Readonly<Record<string, string>>, defaults: LabelDefaults): LabelMapping {
  const extra: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) {
    if (!MAPPED_PROMETHEUS_LABELS.has(name)) {
      extra[name] = value;
    }
  }
  const candidate = {
    stack: labels['stack'] ?? defaults.stack,
    environment: labels['environment'] ?? defaults.environment,
    component: labels['component'] ?? labels['job'] ?? defaults.component,
    stackConfig: labels['stack_config'] ?? defaults.stackConfig,
    node: labels['node'] ?? labels['instance'] ?? defaults.node,
    metric: labels['__name__'],
  };
  const parsed = kpiSeriesLabels.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const label = String(issue?.path[0] ?? 'labels');
    const missing = candidate[label as keyof typeof candidate] === undefined;
    return {
      ok: false,
      reason: missing ? `no '${prometheusLabelName(label)}' label and no default for it` : `label '${prometheusLabelName(label)}' ${issue?.message ?? 'is invalid'}`,
    };
  }
  return { ok: true, labels: { ...parsed.data, ...(Object.keys(extra).length > 0 ? { extra } : {}) } };
}

function prometheusLabelName(strataLabel: string): string {
  return strataLabel === 'stackConfig' ? 'stack_config' : strataLabel === 'metric' ? '__name__' : strataLabel;
}
