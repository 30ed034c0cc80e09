import { eventually } from '@strata/testing';
import { join } from 'node:path';
import { kpiSamplesV1 } from '@strata/contracts';
import { GatewayHarness, UnreachableBus, setFaults } from './test-support/gateway-harness';

describe('Gateway: fallback and panic, the last-known-good config, KPIs, mirroring and version discovery', () => {
  const h = new GatewayHarness();
  h.register();

  it('keeps sending to the only stack config\'s ejected node in panic rather than answering 503 no-stack-config', async () => {
    h.apply({ ...h.routingConfig(), stackConfigs: [{ name: 'v1', weight: 1, nodes: [{ id: 'gone', url: 'http://127.0.0.1:1' }] }] });

    const answers = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      answers.push(await h.send());
    }

    // Three connect failures eject the node; in panic the next requests still try it.
    expect(answers.map((answer) => [answer.status, answer.contentType])).toEqual(answers.map(() => [502, 'application/problem+json']));
    expect(answers.map((answer) => (JSON.parse(answer.body) as { type: string; detail: string }).detail)).toEqual(answers.map(() => 'the backend node gone of stack config v1 failed to answer'));
    expect(await h.inMode('panic')).toBe(1);
  });

  it('serves from the old stable at weight 0 once the promoted config\'s only node is ejected, reports it, and goes back when it recovers', async () => {
    const routingEvents = h.collect('routing.events');
    h.apply(h.promoted({ stickiness: { cookie: 'session' } }));
    const countedBefore = await h.fallbackRequests('fallback', 'v1');
    await setFaults(h.v2, { errorRate: 1 });

    const untilEjected = await h.sendOneByOne(10);
    const afterEjection = await Promise.all(
      Array.from({ length: 40 }, (_, index) => h.send('/', index % 2 === 0 ? { cookie: `session=user-${index}` } : {}, index % 3 === 0 ? 'POST' : 'GET')),
    );
    const counted = (await h.fallbackRequests('fallback', 'v1')) - countedBefore;
    const gauge = await h.inMode('fallback');

    // Three failures eject the node (outlierDetection.consecutiveFailures); every request after is served.
    expect(untilEjected.slice(0, 3).map((answer) => [answer.status, answer.stackConfig])).toEqual([
      [503, 'v2'],
      [503, 'v2'],
      [503, 'v2'],
    ]);
    expect([...untilEjected.slice(3), ...afterEjection].map((answer) => [answer.status, answer.stackConfig])).toEqual([...untilEjected.slice(3), ...afterEjection].map(() => [200, 'v1']));
    expect([counted, gauge]).toEqual([7 + 40, 1]);
    await eventually(() =>
      expect(h.fallbackChanges(routingEvents)).toEqual([
        expect.objectContaining({ stack: 'shop', environment: 'prod', gatewayId: 'test', version: h.version, mode: 'fallback', previousMode: 'normal', unavailableConfigs: ['v2'], servingConfigs: ['v1'] }),
      ]),
    );

    await setFaults(h.v2, {});
    // The node comes back when its ejection is over; poll rather than guess its timing under load.
    const afterRecovery = await eventually(
      async () => {
        const answers = await Promise.all(Array.from({ length: 20 }, () => h.send()));
        expect(answers.map((answer) => [answer.status, answer.stackConfig])).toEqual(answers.map(() => [200, 'v2']));
        return answers;
      },
      15_000,
      200,
    );

    expect(afterRecovery).toHaveLength(20);
    expect(await h.inMode('normal')).toBe(1);
    await eventually(() => expect(h.fallbackChanges(routingEvents).map((change) => [change.previousMode, change.mode, change.servingConfigs])).toEqual([
      ['normal', 'fallback', ['v1']],
      ['fallback', 'normal', ['v2']],
    ]));
  }, 30_000);

  it('routes to the ejected nodes of the weighted config in panic, when no stack config has an available node', async () => {
    const routingEvents = h.collect('routing.events');
    const [stable] = h.promoted().stackConfigs;
    h.apply(h.promoted({ stackConfigs: [{ ...stable, nodes: [stable.nodes[0]] }, h.promoted().stackConfigs[1]] }));
    const countedBefore = await h.fallbackRequests('panic', 'v2');
    await Promise.all([setFaults(h.v1a, { errorRate: 1 }), setFaults(h.v2, { errorRate: 1 })]);

    // v2-a fails three times (ejected: fallback to v1), then v1-a three times (ejected: panic).
    const untilPanic = await h.sendOneByOne(6);
    const inPanicFailing = await h.sendOneByOne(4);
    await setFaults(h.v2, {});
    const inPanicServed = await Promise.all(Array.from({ length: 20 }, () => h.send()));
    const counted = (await h.fallbackRequests('panic', 'v2')) - countedBefore;
    const gauge = await h.inMode('panic');

    expect(untilPanic.map((answer) => [answer.status, answer.stackConfig])).toEqual([...Array(3).fill([503, 'v2']), ...Array(3).fill([503, 'v1'])]);
    // The backend's own 503s (JSON), never the gateway's no-stack-config (problem+json).
    expect(inPanicFailing.map((answer) => [answer.status, answer.stackConfig, answer.contentType])).toEqual(inPanicFailing.map(() => [503, 'v2', 'application/json']));
    expect(inPanicServed.map((answer) => [answer.status, answer.stackConfig])).toEqual(inPanicServed.map(() => [200, 'v2']));
    expect([counted, gauge]).toEqual([4 + 20, 1]);
    await eventually(() =>
      expect(h.fallbackChanges(routingEvents).map((change) => [change.previousMode, change.mode, change.unavailableConfigs, change.servingConfigs])).toEqual([
        ['normal', 'fallback', ['v2'], ['v1']],
        ['fallback', 'panic', ['v1', 'v2'], ['v2']],
      ]),
    );
    // Once v2-a's ejection is over it is available again, and the gateway leaves panic.
    await eventually(() => expect(h.fallbackChanges(routingEvents).map((change) => change.mode)).toEqual(['fallback', 'panic', 'normal']), 15_000, 200);
  }, 30_000);

  it('starts without the bus and serves from the last-known-good config on disk', async () => {
    h.apply(h.routingConfig({ rules: [{ match: { pathPrefix: '/' }, stackConfig: 'v2' }] }));
    await h.sut.stop();

    h.sut = await h.startGateway({ bus: new UnreachableBus() });
    const answer = await h.send();

    expect([answer.status, answer.stackConfig]).toEqual([200, 'v2']);
    expect(h.sut.routingVersion).toBe(h.version);
  });

  it('starts without a config when the one on disk belongs to no valid routing', async () => {
    await h.sut.stop();

    h.sut = await h.startGateway({ dir: join(h.stateDir, 'empty') });

    expect((await h.send()).status).toBe(503);
  });

  it('flushes KPIs per stack config and node over the bus', async () => {
    const kpis = h.collect('kpi.samples');
    h.apply(h.routingConfig({ rules: [{ match: { pathPrefix: '/' }, stackConfig: 'v2' }] }));

    await Promise.all(Array.from({ length: 10 }, () => h.send()));

    await eventually(() => {
      const samples = kpis.map((event) => kpiSamplesV1.parse(event.data));
      const requests = samples.filter((sample) => sample.series.metric === 'gateway_requests_total' && sample.series.node === 'v2-a');
      expect(requests.reduce((sum, sample) => sum + sample.samples[0].value, 0)).toBe(10);
      expect(samples).toContainEqual(expect.objectContaining({ series: expect.objectContaining({ stackConfig: 'v2', metric: 'gateway_request_duration_ms' }) }));
    });
    expect(kpis.every((event) => event.type === 'io.strata.kpi.samples.v1')).toBe(true);
  });

  it('mirrors to the staging config without the caller seeing it, recording its KPIs', async () => {
    const kpis = h.collect('kpi.samples');
    const staging = { name: 'staging', weight: 0, nodes: [{ id: 'staging-a', url: h.v2.url }] };
    h.apply(h.routingConfig({ stackConfigs: [h.routingConfig().stackConfigs[0], staging], mirror: { stackConfig: 'staging', sampleRate: 1 } }));
    await setFaults(h.v2, { errorRate: 1 });

    const answers = await Promise.all(Array.from({ length: 10 }, () => h.send()));

    expect(answers.every((answer) => answer.status === 200 && answer.stackConfig === 'v1')).toBe(true);
    await eventually(() => {
      const mirrored = kpis
        .map((event) => kpiSamplesV1.parse(event.data))
        .filter((sample) => sample.series.stackConfig === 'staging' && sample.series.metric === 'gateway_mirror_errors_5xx_total');
      expect(mirrored.reduce((sum, sample) => sum + sample.samples[0].value, 0)).toBe(10);
    });
  });

  it('answers production at its own pace while the staging config it mirrors to takes 1.5 s a request', async () => {
    const kpis = h.collect('kpi.samples');
    const staging = { name: 'staging', weight: 0, nodes: [{ id: 'staging-slow', url: h.v2.url }] };
    h.apply(h.routingConfig({ stackConfigs: [h.routingConfig().stackConfigs[0], staging], mirror: { stackConfig: 'staging', sampleRate: 1 } }));
    await setFaults(h.v2, { latencyMs: 1_500 });

    const started = performance.now();
    const answers = [];
    for (let request = 0; request < 20; request++) {
      const sent = performance.now();
      answers.push({ ...(await h.send()), ms: performance.now() - sent });
    }
    const elapsedMs = performance.now() - started;

    // Twenty requests one after another, each mirrored to a node 1.5 s slow: had the caller waited on a copy, this would take 30 s.
    expect(answers.map((answer) => [answer.status, answer.stackConfig])).toEqual(answers.map(() => [200, 'v1']));
    expect(elapsedMs).toBeLessThan(1_500);
    expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(750);
    await eventually(() => {
      const mirrored = kpis.map((event) => kpiSamplesV1.parse(event.data)).filter((sample) => sample.series.stackConfig === 'staging');
      const requests = mirrored.filter((sample) => sample.series.metric === 'gateway_mirror_requests_total').reduce((sum, sample) => sum + sample.samples[0].value, 0);
      const latency = mirrored.filter((sample) => sample.series.metric === 'gateway_mirror_request_duration_ms').flatMap((sample) => sample.histograms ?? []);
      expect(requests).toBe(20);
      expect(latency.reduce((sum, histogram) => sum + histogram.sum, 0) / 20).toBeGreaterThanOrEqual(1_500);
    }, 15_000);
  }, 30_000);

  it('answers production when the staging config it mirrors to is down, counting the copies as unanswered', async () => {
    const kpis = h.collect('kpi.samples');
    const staging = { name: 'staging', weight: 0, nodes: [{ id: 'staging-down', url: 'http://127.0.0.1:1' }] };
    h.apply(h.routingConfig({ stackConfigs: [h.routingConfig().stackConfigs[0], staging], mirror: { stackConfig: 'staging', sampleRate: 1 } }));

    const answers = await Promise.all(Array.from({ length: 20 }, () => h.send()));

    expect(answers.map((answer) => [answer.status, answer.stackConfig])).toEqual(answers.map(() => [200, 'v1']));
    await eventually(() => {
      const samples = kpis.map((event) => kpiSamplesV1.parse(event.data));
      const total = (metric: string, stackConfig: string) => samples.filter((sample) => sample.series.stackConfig === stackConfig && sample.series.metric === metric).reduce((sum, sample) => sum + sample.samples[0].value, 0);
      expect(total('gateway_mirror_errors_connect_total', 'staging')).toBe(20);
      expect(total('gateway_errors_connect_total', 'v1') + total('gateway_errors_5xx_total', 'v1')).toBe(0);
    });
  });

  it("compares each copy's JSON body with production's, leaving out the ignored fields, without holding production's answer", async () => {
    const staging = { name: 'staging', weight: 0, nodes: [{ id: 'staging-a', url: h.v2.url }] };
    const mirrorWith = (compareBodies: { ignoreFields: string[]; maxBytes: number }) => h.apply(h.routingConfig({ stackConfigs: [h.routingConfig().stackConfigs[0], staging], mirror: { stackConfig: 'staging', sampleRate: 1, compareBodies } }));
    const compared = async (compareBodies: { ignoreFields: string[]; maxBytes: number }) => {
      const kpis = h.collect('kpi.samples');
      mirrorWith(compareBodies);
      // The sample backend's /healthz: {status, version, node, served, faults}; v1 and v2 differ in version, node and served.
      const answers = await Promise.all(Array.from({ length: 10 }, () => h.send('/healthz')));
      expect(answers.map((answer) => [answer.status, answer.stackConfig, (JSON.parse(answer.body) as { version: string }).version])).toEqual(answers.map(() => [200, 'v1', '1.0.0']));
      return () => {
        const samples = kpis.map((event) => kpiSamplesV1.parse(event.data)).filter((sample) => sample.series.stackConfig === 'staging');
        const total = (metric: string) => samples.filter((sample) => sample.series.metric === metric).reduce((sum, sample) => sum + sample.samples[0].value, 0);
        return { requests: total('gateway_mirror_requests_total'), compared: total('gateway_mirror_body_comparisons_total'), mismatched: total('gateway_mirror_body_mismatches_total') };
      };
    };

    const ignoringWhatDiffers = await compared({ ignoreFields: ['version', 'node', 'served'], maxBytes: 4_096 });
    await eventually(() => expect(ignoringWhatDiffers()).toEqual({ requests: 10, compared: 10, mismatched: 0 }));
    const ignoringLess = await compared({ ignoreFields: ['served'], maxBytes: 4_096 });
    await eventually(() => expect(ignoringLess()).toEqual({ requests: 10, compared: 10, mismatched: 10 }));
    const tooLong = await compared({ ignoreFields: [], maxBytes: 16 });
    await eventually(() => expect(tooLong().requests).toBe(10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(tooLong()).toEqual({ requests: 10, compared: 0, mismatched: 0 });
  });

  it('reports a node whose version differs from the declared one', async () => {
    const registryEvents = h.collect('registry.events');
    const config = h.routingConfig();
    config.stackConfigs[1].nodes[0].version = '2.0.1';
    h.apply({ ...config, rules: [{ match: { pathPrefix: '/' }, stackConfig: 'v2' }] });

    await h.send();
    await h.send();

    await eventually(() =>
      expect(registryEvents).toEqual([
        expect.objectContaining({
          type: 'io.strata.registry.version-mismatch.detected.v1',
          data: expect.objectContaining({ declaredVersion: '2.0.1', discoveredVersion: '2.0.0', source: 'response-header', address: h.v2.url }),
        }),
      ]),
    );
  });

  it('discovers versions from the health payload', async () => {
    const registryEvents = h.collect('registry.events');
    const config = h.routingConfig({ healthCheck: { path: '/healthz', intervalMs: 100 } });
    config.stackConfigs[0].nodes[0].version = '0.9.0';
    h.apply(config);

    await eventually(() => expect(registryEvents.map((event) => (event.data as { source: string }).source)).toContain('health-check'));
  });
});
