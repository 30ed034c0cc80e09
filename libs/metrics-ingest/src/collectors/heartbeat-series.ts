import { nodeResourceMetric } from '@strata/contracts';
import { SeriesBatch } from '../domain/series-batch';

export interface NodeHeartbeat {
  stack: string;
  environment: string;
  component: string;
  stackConfig?: string;
  /** host:port (or name) of the node. */
  node: string;
  /** `staging` or `production` when the node says where it runs. */
  location?: string;
  /** Epoch milliseconds. */
  timestamp: number;
  resources: Readonly<Record<string, number>>;
}

/** One series per resource figure of a heartbeat, labelled with the node. */
export function heartbeatBatches(beat: NodeHeartbeat): SeriesBatch[] {
  return Object.entries(beat.resources).map(([resource, value]) => ({
    labels: {
      stack: beat.stack,
      environment: beat.environment,
      component: beat.component,
      ...(beat.stackConfig !== undefined ? { stackConfig: beat.stackConfig } : {}),
      node: beat.node,
      metric: nodeResourceMetric(resource),
      ...(beat.location !== undefined ? { extra: { location: beat.location } } : {}),
    },
    samples: [{ timestamp: beat.timestamp, value }],
    histograms: [],
    path: `resources.${resource}`,
  }));
}
