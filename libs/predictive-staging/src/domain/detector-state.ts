import { StreamingAnomalyDetector, type StreamingDetectorState } from '@strata/analytics';

function shapeOf(state: object): string {
  const config = (state as { config?: unknown }).config;
  const configKeys = typeof config === 'object' && config !== null ? Object.keys(config).sort().join(',') : '';
  return `${Object.keys(state).sort().join(',')}|${configKeys}`;
}

const CURRENT_SHAPE = shapeOf(new StreamingAnomalyDetector().toJSON());

/**
 * Whether a stored detector state has the shape this detector version writes. A state from an
 * older version (a part added or renamed) may construct and then fail, or mislead, on the next
 * value; such a series starts learning afresh instead.
 */
export function isCurrentDetectorState(state: unknown): state is StreamingDetectorState {
  return typeof state === 'object' && state !== null && shapeOf(state) === CURRENT_SHAPE;
}
