import { TestDatabase, createTestDatabase, eventually } from '@strata/testing';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { RolloutBody, apiCall, registerDeployedStack, startSampleBackend } from './support/api';
import { feedKpiSeries } from './support/kpi-history';
import { closeClients, send } from './support/traffic';
import { E2E_ADMIN_TOKEN, ServiceProcess } from './support/service-process';

const ROOT = join(__dirname, '..', '..');
/** Git-ignored: what the dashboard looked like in this run, to look at. */
const SCREENSHOTS = join(__dirname, 'screenshots');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const STACK = 'shop';
const COMPONENT = 'shop-api';
const KPI = { stack: STACK, environment: 'production', component: COMPONENT, metric: 'checkout_latency_ms' };

/**
 * Acceptance of the dashboard (issue [U]): a real Strata (every service in one process, as
 * `npm start` runs it) with a stack, version groups, heartbeating nodes, a rollout and KPI samples
 * made through its API; the dashboard in headless Chromium renders them, and a canary weight
 * change reaches the open page through the live stream, without a reload. Forecasts are made
 * from a short history here (6 windows, 3 ahead) so the test need not wait 20 minutes of windows.
 */
describe('the dashboard in headless Chromium', () => {
  let database: TestDatabase;
  /** A db-schema target with a slow statement for the index advisor: the proposals page's real data. */
  let target: TestDatabase;
  let dataDir: string;
  let strata: ServiceProcess;
  let api: string;
  let gateway: string;
  let backends: { process: ServiceProcess; url: string }[] = [];
  let browser: Browser;
  let page: Page;
  let rolloutId: string;
  let kpi: { seriesId: string; stop: () => void } | undefined;

  const call = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => apiCall<T>(api, method, path, body);

  beforeAll(async () => {
    // What `npm install` and `npm start` do; quick when the build is current.
    execFileSync(process.execPath, [join(ROOT, 'apps/dashboard/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    mkdirSync(SCREENSHOTS, { recursive: true });
    database = await createTestDatabase('dashboard');
    target = await createTestDatabase('dashboard-target');
    execFileSync('psql', [target.url, '-q', '-c', 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL, total numeric NOT NULL)', '-c', 'INSERT INTO orders SELECT g, g % 20000, g FROM generate_series(1, 200000) AS g', '-c', 'ANALYZE orders']);
    dataDir = await mkdtemp(join(tmpdir(), 'strata-e2e-dashboard-'));
    strata = new ServiceProcess('strata', {
      DATABASE_URL: database.url,
      // The gateway keeps its last-known-good config here: never another run's.
      STRATA_DATA_DIR: dataDir,
      PREDICTIVE_FORECAST_HORIZON: '3',
      PREDICTIVE_FORECAST_ORIGINS: '1',
      PREDICTIVE_FORECAST_MIN_POINTS: '6',
      STRATA_PORT: '0',
      STRATA_GATEWAY_PORT: '0',
      STRATA_GATEWAY_ADMIN_PORT: '0',
      PREDICTIVE_FORECAST_INTERVAL_MS: '0',
      PREDICTIVE_LSTM_ENABLED: 'false',
      LOG_LEVEL: 'warn',
      SHOP_DB_URL: target.url,
    });
    strata.start();
    api = await strata.lineStartingWith('api: ', 90_000);
    gateway = await strata.lineStartingWith('gateway: ');
    const [browserStarted] = await Promise.all([chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }), registerDeployedStack(api, STACK, COMPONENT, [['shop-2.3.0', '2.3.0'], ['shop-2.4.0', '2.4.0']])]);
    browser = browserStarted;
    const heartbeats = { STRATA_HEARTBEAT_URL: api, STRATA_HEARTBEAT_INTERVAL_MS: '1000', STRATA_SAMPLE_STACK: STACK, STRATA_SAMPLE_COMPONENT: COMPONENT };
    backends = await Promise.all([startSampleBackend('2.3.0', 'node-a', heartbeats), startSampleBackend('2.4.0', 'node-b', heartbeats)]);
    kpi = await feedKpiSeries(api, KPI);
  }, 120_000);

  afterAll(async () => {
    kpi?.stop();
    await closeClients();
    await browser?.close();
    await Promise.all([strata?.interrupt(), ...backends.map((backend) => backend.process.stop())]);
    await database?.drop();
    await target?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('signs in with a token, refusing a wrong one, and keeps it in sessionStorage only', async () => {
    // A zone far from UTC: the KPI chart must still say its times in UTC.
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, timezoneId: 'Asia/Kolkata' });
    await page.goto(`${api}/ui/`);
    await page.fill('#token', 'strata_not-a-token-0123456789abcdefghijklmnopqrstuv');
    await page.click('button[type=submit]');
    await page.getByText('This token is not accepted').waitFor();
    await page.fill('#token', E2E_ADMIN_TOKEN);
    await page.click('button[type=submit]');
    await page.getByTestId('version-map-production').waitFor();
    expect(await page.evaluate("[sessionStorage.getItem('strata.token'), document.cookie, localStorage.length]")).toEqual([E2E_ADMIN_TOKEN, '', 0]);
    // The pages are public; the API behind them is not.
    expect((await fetch(`${api}/v1/stacks`)).status).toBe(401);
  });

  it('shows the version map of each environment: layers, components, versions, status and the heartbeating nodes', async () => {
    const map = page.getByTestId('version-map-production');
    await eventually(async () => {
      const text = await map.innerText();
      expect(text).toContain('app');
      expect(text).toContain(COMPONENT);
      for (const backend of backends) expect(text).toContain(backend.url);
      expect(text).toMatch(/healthy[\s\S]*2\.3\.0/);
      expect(text).toContain('shop-2.4.0');
    }, 30_000, 250);
    expect(await map.getByTestId('version-slot').count()).toBeGreaterThanOrEqual(1);
    await map.screenshot({ path: join(SCREENSHOTS, 'version-map.png') });
  }, 60_000);

  it("shows a rollout's live canary weight, and a weight change without a reload", async () => {
    const policy = await eventually(async () => {
      const answer = await call('PUT', `/v1/stacks/${STACK}/environments/production/routing-policy`, {
        component: COMPONENT,
        stableConfig: 'shop-2.3.0',
        stackConfigs: [
          { name: 'shop-2.3.0', weight: 100 },
          { name: 'shop-2.4.0', weight: 0 },
        ],
        healthCheck: { path: '/healthz', intervalMs: 250 },
      });
      // Until both configs have their heartbeated node, as the canary e2e waits.
      expect({ status: answer.status, nodes: (answer.body['config'] as { stackConfigs: { nodes: unknown[] }[] } | undefined)?.stackConfigs.map((config) => config.nodes.length) }).toEqual({ status: 200, nodes: [1, 1] });
      return answer;
    }, 60_000, 500);
    // The gateway serves the stable config before a canary may take traffic.
    await eventually(async () => expect((await send(gateway)).status).toBe(200), 30_000, 250);
    expect(policy.status).toBe(200);
    const created = await eventually(async () => {
      const answer = await call<RolloutBody>('POST', `/v1/stacks/${STACK}/rollouts`, {
        name: 'shop-2.4.0-canary',
        spec: { environment: 'production', versionGroup: 'shop-2.4.0', steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 }] },
      });
      expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 201, body: { canaryWeight: 20 } });
      return answer.body;
      // 412 until the gateway has health-checked the canary's node.
    }, 45_000, 500);
    rolloutId = created.id;

    await page.click('a[href="#/rollouts"]');
    await page.getByTestId('rollout-row').first().waitFor();
    await page.click(`a[href="#/rollouts/${rolloutId}"]`);
    const weight = page.getByTestId('rollout-detail').getByTestId('canary-weight');
    await eventually(async () => expect(await weight.getAttribute('data-weight')).toBe('20'), 15_000, 100);
    await page.evaluate('window.notReloaded = true');

    const promoted = await call<RolloutBody>('POST', `/v1/rollouts/${rolloutId}/promote`, {});
    expect({ status: promoted.status, weight: promoted.body.canaryWeight }).toEqual({ status: 200, weight: 50 });
    const changedAt = Date.now();
    await eventually(async () => expect(await weight.getAttribute('data-weight')).toBe('50'), 10_000, 50);
    process.stderr.write(`[U] the open page showed the canary weight change ${Date.now() - changedAt} ms after the API answered\n`);
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    expect(await page.getByTestId('rollout-detail').innerText()).toMatch(/promote/i);
    await page.getByTestId('rollout-detail').screenshot({ path: join(SCREENSHOTS, 'rollout.png') });
  }, 90_000);

  it('charts a KPI series from its samples with the forecast band predictive-staging made of its windows', async () => {
    const seriesId = kpi?.seriesId as string;
    // 412 until the series has the 6 windows a forecast needs here. The hour of history came in
    // after the window publisher's first tick, which publishes only the latest window (no
    // back-fill of a past it never saw), so these are live windows: one per 10 s, 2-3 s after
    // each ends; ~60 s from the first sample, more on a loaded machine.
    const forecast = await eventually(async () => {
      const answer = await call<{ points: unknown[] }>('POST', `/v1/series/${seriesId}/forecasts`, {});
      expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 201 });
      return answer.body;
    }, 150_000, 1_000);
    const anomalies = (await call<{ items: unknown[] }>('GET', `/v1/anomalies?seriesId=${seriesId}`)).body.items;

    await page.click(`a[href="#/kpis"]`);
    await page.click(`a[href="#/kpis/${seriesId}"]`);
    const chart = page.getByTestId('kpi-chart');
    await eventually(async () => {
      expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(300);
      expect(Number(await chart.getAttribute('data-forecast-points'))).toBe(forecast.points.length);
      expect(Number(await chart.getAttribute('data-anomalies'))).toBe(anomalies.length);
    }, 20_000, 250);
    await page.getByTestId('forecast-note').waitFor();
    // The cursor's time in the legend is UTC, said so, and within the hour charted, though the browser's zone is UTC+5:30.
    await page.locator('.u-over').hover();
    const hovered = await page.locator('.u-legend .u-series').first().innerText();
    expect(hovered).toMatch(/time \(UTC\)\s*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/i);
    const at = Date.parse(`${/(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC/.exec(hovered)?.slice(1, 3).join('T')}Z`);
    expect(Date.now() - at).toBeGreaterThan(0);
    expect(Date.now() - at).toBeLessThan(60 * 60_000);
    await page.selectOption('select[aria-label=range]', '15 min');
    await eventually(async () => expect(Number(await chart.getAttribute('data-points'))).toBeLessThanOrEqual(95), 10_000, 100);
    await page.getByTestId('kpi-series').screenshot({ path: join(SCREENSHOTS, 'kpi-forecast.png') });
  }, 200_000);

  it("lists the environment's rollback triggers and a firing with what it saw and what it did", async () => {
    // A dry run that any served canary request satisfies: it fires on the gateway's next flush and only records.
    const declared = await call('PUT', `/v1/stacks/${STACK}/environments/production/rollback-triggers/canary-served`, { when: 'latency_mean_ms(canary) > 0', minRequests: 10, dryRun: true, action: 'rollback' });
    expect(declared.status).toBe(201);
    await page.click('a[href="#/triggers"]');
    const triggers = page.getByTestId('triggers-production');
    await eventually(async () => expect(await triggers.getByTestId('trigger').innerText()).toMatch(/canary-served\s+latency_mean_ms\(canary\) > 0\s+every canary and group\s+rollback \(dry run\)/), 15_000, 250);
    // Each attempt sends canary traffic again and looks for a second: a batch whose flush reached the rollback service
    // before it had loaded the new trigger fires nothing, and innerText's own 30 s wait would have left no next attempt.
    await eventually(
      async () => {
        for (let request = 0; request < 60; request++) await send(gateway);
        expect(await triggers.getByTestId('trigger-firing').first().innerText({ timeout: 1_000 })).toMatch(/canary-served\s+recorded\s+.*dry run: would abort rollout/);
      },
      45_000,
      500,
    );
    await triggers.screenshot({ path: join(SCREENSHOTS, 'triggers.png') });
  }, 90_000);

  it('shows an index proposal the advisor made, with its evidence and its lifecycle', async () => {
    const slow = 'SELECT id, total FROM orders WHERE customer_id = 4242';
    const advised = await call<{ proposals: { id: string }[] }>('POST', '/v1/proposals/indexes', {
      stack: STACK,
      environment: 'production',
      component: 'shop-db',
      databaseUrlFrom: 'SHOP_DB_URL',
      statements: [{ query: slow, calls: 5_000, meanExecTimeMs: 18.5 }],
    });
    expect({ status: advised.status, proposals: advised.body.proposals?.length }).toEqual({ status: 201, proposals: 1 });
    await page.click('a[href="#/proposals"]');
    const row = page.getByTestId('proposal-row').first();
    await eventually(async () => expect(await row.innerText()).toMatch(/index on orders \(customer_id\)\s+index\s+production\s+proposed\s+.*costReduction 0\.9/), 15_000, 250);
    await page.click(`a[href="#/proposals/${advised.body.proposals[0]?.id}"]`);
    const detail = page.getByTestId('proposal-detail');
    await eventually(async () => expect(await detail.innerText()).toContain('CREATE INDEX CONCURRENTLY'), 15_000, 250);
    expect(await detail.getByTestId('proposal-statement').innerText()).toContain(slow);
    await detail.screenshot({ path: join(SCREENSHOTS, 'proposal.png') });
  }, 60_000);

  it('lists the audit of every write made above', async () => {
    await page.click('a[href="#/audit"]');
    const audit = page.getByTestId('audit');
    // Heartbeats and samples are writes too, every second: the filters find the rest.
    await eventually(async () => expect(await audit.innerText()).toContain('POST /v1/nodes/heartbeat'), 15_000, 250);
    await page.fill('input[aria-label=action]', 'POST /v1/stacks');
    await eventually(async () => expect(await audit.innerText()).toMatch(/POST \/v1\/stacks\s+\/v1\/stacks\s+201/), 15_000, 250);
    await page.fill('input[aria-label=action]', 'POST /v1/rollouts/:id/promote');
    await eventually(async () => expect(await audit.innerText()).toContain(`/v1/rollouts/${rolloutId}/promote`), 15_000, 250);
  }, 30_000);

  it('reaches every row of a list longer than one page: all stacks in the picker, every audit entry through "Load more"', async () => {
    // Named after "shop": the picker, sorted by name, keeps showing it first. Past the picker's old cut (100 stacks).
    const names = Array.from({ length: 120 }, (_, index) => `zz-many-${String(index).padStart(3, '0')}`);
    for (const name of names) expect((await call('POST', '/v1/stacks', { name, environments: [{ name: 'production' }] })).status).toBe(201);
    const options = page.locator('select[aria-label=stack] option');
    await eventually(async () => expect(await options.count()).toBe(names.length + 1), 15_000, 250);
    expect(await options.last().innerText()).toBe('zz-many-119');

    // Every audited write whose action starts so, as the API pages it (500 a page at most).
    type AuditPage = { items: { target: string }[]; nextCursor: string | null };
    const expected: string[] = [];
    let after: string | null = null;
    do {
      const answer: { body: AuditPage } = await call<AuditPage>('GET', `/v1/audit?action=${encodeURIComponent('POST /v1/stacks')}&limit=500${after === null ? '' : `&after=${encodeURIComponent(after)}`}`);
      expected.push(...answer.body.items.map((entry) => entry.target));
      after = answer.body.nextCursor;
    } while (after !== null);
    expect(expected.length).toBeGreaterThan(names.length);
    const audit = page.getByTestId('audit');
    const rows = audit.getByTestId('audit-row');
    await page.fill('input[aria-label=action]', 'POST /v1/stacks');
    // One page of 100 first, saying more follow.
    await eventually(async () => expect(await rows.count()).toBe(100), 15_000, 250);
    await audit.getByText('Showing the first 100 entries.').waitFor();
    const more = audit.getByTestId('load-more');
    while (await more.isVisible()) {
      const shown = await rows.count();
      await more.click();
      await eventually(async () => expect(await rows.count()).toBeGreaterThan(shown), 10_000, 100);
    }
    expect(await rows.count()).toBe(expected.length);
    expect(await rows.locator('td:nth-child(6)').allInnerTexts()).toEqual(expected);
    await audit.screenshot({ path: join(SCREENSHOTS, 'audit-all-pages.png') });
  }, 60_000);

  it('ends the live stream on Ctrl-C, so an open page does not hold the shutdown up', async () => {
    const status = page.getByTestId('live-status');
    expect(await status.innerText()).toBe('live');
    const started = Date.now();
    const exited = strata.interrupt();
    await eventually(async () => expect(await status.innerText()).toBe('reconnecting'), 5_000, 50);
    process.stderr.write(`[U] the live stream ended ${Date.now() - started} ms after Ctrl-C\n`);
    // A non-zero exit says why in the process's last lines.
    expect({ code: await exited, log: (await exited) === 0 ? '' : strata.log.slice(-3_000) }).toEqual({ code: 0, log: '' });
  }, 30_000);
});
