import { runCaptured } from '../captured-io';
import { ExitCode, UsageError } from '../errors';
import { parseStep } from './rollout';

describe(parseStep.name, () => {
  it.each([
    ['20', { setWeight: 20 }],
    ['12.5', { setWeight: 12.5 }],
    ['pause', { pause: {} }],
    ['pause:5m', { pause: { duration: '5m' } }],
    ['analysis:30s', { analysis: { window: '30s' } }],
    ['analysis:1m30s:200', { analysis: { window: '1m30s', minSamples: 200 } }],
  ])('reads %s', (text, step) => {
    expect(parseStep(text)).toEqual(step);
  });

  it.each([
    ['analysis:30s:abc', "--step 'analysis:30s:abc': minSamples 'abc' is not a whole number (e.g. analysis:30s:100)"],
    ['analysis:30s:1.5', "--step 'analysis:30s:1.5': minSamples '1.5' is not a whole number"],
    ['analysis:30s:-5', "--step 'analysis:30s:-5': minSamples '-5' is not a whole number"],
    ['analysis:30s:', "--step 'analysis:30s:': minSamples is empty"],
    ['analysis:soon', "--step 'analysis:soon': the analysis window 'soon' is not a duration (e.g. 30s, 5m, 1m30s)"],
    ['analysis::100', "--step 'analysis::100': the analysis window is empty"],
    ['analysis', "--step 'analysis': expected analysis:window or analysis:window:minSamples"],
    ['analysis:30s:100:9', "--step 'analysis:30s:100:9': expected analysis:window or analysis:window:minSamples"],
    ['pause:5 minutes', "--step 'pause:5 minutes': the pause duration '5 minutes' is not a duration"],
    ['pause:', "--step 'pause:': the pause duration is empty"],
    ['pause:5m:1', "--step 'pause:5m:1': expected pause or pause:duration"],
    ['foo', "--step 'foo': expected a weight (20), pause[:duration] or analysis:window[:minSamples]"],
  ])('refuses %s as a usage error naming the step and what is wrong', (text, message) => {
    expect(() => parseStep(text)).toThrow(UsageError);
    expect(() => parseStep(text)).toThrow(message);
  });

  it('leaves a limit to the API, whose 422 names the field: a weight above 100, a zero window or sample count', () => {
    expect([parseStep('150'), parseStep('analysis:0s:0')]).toEqual([{ setWeight: 150 }, { analysis: { window: '0s', minSamples: 0 } }]);
  });
});

describe('--step on the command line', () => {
  // Nothing listens there: had the CLI sent the request, it would end with exit 1 (connection refused).
  const env = { STRATA_API: 'http://127.0.0.1:9', STRATA_TOKEN: 'strata_cli-test', HOME: '/nonexistent' };

  it.each([
    ['rollout', 'create', '--stack', 'shop', '--name', 'shop-canary', '-e', 'production', '--version-group', 'shop-2.4.0'],
    ['deploy', 'shop-2.4.0', '--stack', 'shop', '-e', 'production'],
  ])('%s %s refuses a malformed step locally (exit 2), sending nothing', async (...argv) => {
    const { code, stderr } = await runCaptured([...argv, '--step', '20', '--step', 'analysis:30s:abc'], env);
    expect({ code, stderr }).toEqual({ code: ExitCode.usage, stderr: "error: --step 'analysis:30s:abc': minSamples 'abc' is not a whole number (e.g. analysis:30s:100)\n" });
  });
});
