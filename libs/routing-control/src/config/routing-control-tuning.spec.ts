import { ConfigError } from '@strata/config';
import { DEFAULT_ROUTING_CONTROL_TUNING, readRoutingControlTuning } from './routing-control-tuning';

describe(readRoutingControlTuning.name, () => {
  it('defaults both timers', () => {
    expect(readRoutingControlTuning({})).toMatchObject({ tickMs: DEFAULT_ROUTING_CONTROL_TUNING.tickMs, resyncMs: DEFAULT_ROUTING_CONTROL_TUNING.resyncMs });
  });

  it('reads both timers and lets 0 turn either off', () => {
    expect(readRoutingControlTuning({ ROUTING_ROLLOUT_TICK_MS: '250', ROUTING_POLICY_RESYNC_MS: '0' })).toMatchObject({ tickMs: 250, resyncMs: 0 });
  });

  it('waits 30 s for an analysis window\'s last KPI windows by default, and reads another wait', () => {
    expect(readRoutingControlTuning({}).analysisDataWaitMs).toBe(30_000);
    expect(readRoutingControlTuning({ ROUTING_ANALYSIS_DATA_WAIT_MS: '5000' }).analysisDataWaitMs).toBe(5_000);
  });

  it.each([
    ['ROUTING_ANALYSIS_DATA_WAIT_MS', '-1', /ROUTING_ANALYSIS_DATA_WAIT_MS: must be between 0 and 600000/],
    ['ROUTING_POLICY_RESYNC_MS', '10', /ROUTING_POLICY_RESYNC_MS: must be 0 \(off\) or between 1000 and 86400000 \(got '10'\)/],
    ['ROUTING_ROLLOUT_TICK_MS', 'soon', /ROUTING_ROLLOUT_TICK_MS: must be a number \(got 'soon'\)/],
    ['ROUTING_ROLLOUT_TICK_MS', '1.5', /ROUTING_ROLLOUT_TICK_MS: must be a whole number/],
  ])('refuses %s=%s naming the variable', (variable, value, message) => {
    expect(() => readRoutingControlTuning({ [variable]: value })).toThrow(ConfigError);
    expect(() => readRoutingControlTuning({ [variable]: value })).toThrow(message);
  });
});
