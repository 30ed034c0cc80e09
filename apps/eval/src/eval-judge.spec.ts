import { UsageError, parseEvalJudgeArgs, runEvalJudge } from './eval-judge';

describe(parseEvalJudgeArgs.name, () => {
  const sut = parseEvalJudgeArgs;

  it('runs 2,000 simulations a scenario by default, 300 with --quick, or --runs', () => {
    expect(sut([])).toEqual({ runs: 2000, json: false });
    expect(sut(['--quick', '--json'])).toEqual({ runs: 300, json: true });
    expect(sut(['--runs', '50'])).toEqual({ runs: 50, json: false });
    expect(sut(['--runs=7'])).toEqual({ runs: 7, json: false });
  });

  it.each([[['--runs', '0']], [['--runs', 'x']], [['--runs']], [['--bogus']]])('refuses %p', (argv) => {
    expect(() => sut(argv)).toThrow(UsageError);
  });
});

describe(runEvalJudge.name, () => {
  it('reports every A/A scenario and both regressions, and ends with the JSON line of the issue', () => {
    let output = '';
    const report = runEvalJudge({ runs: 4, json: true }, (text) => (output += text));
    expect(report.aa).toHaveLength(9);
    expect(report.regressions.map((result) => result.scenario)).toEqual(['errors 2× (1 % → 2 %)', 'latency +20 %']);
    const lines = output.trim().split('\n');
    const json = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
    expect(json).toMatchObject({ runs: 4, power2xErrorsAt1000Bound: 0.3114, power2xErrorsAt1000BoundKnownBaseline: 0.6203 });
    expect(typeof json['maxAAFalseFail']).toBe('number');
    expect(typeof json['power2xErrorsAt1000']).toBe('number');
    expect(json['medianRequestsToVerdict']).toEqual({ errors2x: expect.any(Number), latency20: expect.any(Number) });
    expect(output).toMatch(/AR\(1\) ρ 0\.95/);
    expect(output).toMatch(/cold canary/);
  }, 30_000);
});
