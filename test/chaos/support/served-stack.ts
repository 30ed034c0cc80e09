import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portOrFree } from '@strata/runtime';
import { GatewayStatusBody, apiCall, registerDeployedStack, startSampleBackend } from '../../e2e/support/api';
import { ServiceProcess, waitForGatewayStarted } from '../../e2e/support/service-process';
import { gatewayEnvironment } from './gateway-environment';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A stack users reach through a gateway while the control plane is faulted: two backends (release-1
 * and release-2), the stack registered and deployed through the registry, and a gateway following
 * the routing policy routing-control publishes. Policy changes and canary rollouts go to whichever
 * routing-control replica answers, as an operator's retries would.
 */
export class ServedStack {
  readonly component: string;
  gatewayUrl = '';
  private gatewayAdminUrl = '';
  private readonly backends: Array<{ process: ServiceProcess; url: string }> = [];
  private gateway: ServiceProcess | undefined;
  private stateDir = '';

  constructor(
    readonly stack: string,
    private readonly gatewayId: string,
  ) {
    this.component = `${stack}-api`;
  }

  async start(common: Record<string, string>, registryUrl: string): Promise<void> {
    this.stateDir = mkdtempSync(join(tmpdir(), 'strata-chaos-served-'));
    this.backends.push(await startSampleBackend('1.0.0', 'v1'), await startSampleBackend('2.0.0', 'v2'));
    const [port, adminPort] = [await portOrFree(0, '127.0.0.1'), await portOrFree(0, '127.0.0.1')];
    [this.gatewayUrl, this.gatewayAdminUrl] = [`http://127.0.0.1:${port}`, `http://127.0.0.1:${adminPort}`];
    this.gateway = new ServiceProcess('gateway', gatewayEnvironment(common, { port: String(port), adminPort: String(adminPort), gatewayId: this.gatewayId, stateDir: this.stateDir, stack: this.stack }));
    this.gateway.start();
    await waitForGatewayStarted(this.gatewayAdminUrl, this.gateway, 120_000);
    await registerDeployedStack(registryUrl, this.stack, this.component, [
      ['release-1', '1.0.0'],
      ['release-2', '2.0.0'],
    ]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.gateway, ...this.backends.map((backend) => backend.process)].map((process) => process?.stop()));
    if (this.stateDir) {
      rmSync(this.stateDir, { recursive: true, force: true });
    }
  }

  private policy(canaryWeight: number): Record<string, unknown> {
    return {
      component: this.component,
      stableConfig: 'release-1',
      stackConfigs: [
        { name: 'release-1', weight: 100 - canaryWeight, nodes: [{ id: 'v1', url: this.backends[0]!.url, version: '1.0.0' }] },
        { name: 'release-2', weight: canaryWeight, nodes: [{ id: 'v2', url: this.backends[1]!.url, version: '2.0.0' }] },
      ],
      healthCheck: { path: '/healthz', intervalMs: 250 },
    };
  }

  private policyPath(): string {
    return `/v1/stacks/${this.stack}/environments/production/routing-policy`;
  }

  /** Puts the policy through any routing-control replica until one takes it; its version, or null when none did for a minute. */
  async putPolicy(routingUrls: readonly string[], canaryWeight: number): Promise<number | null> {
    for (let attempt = 0; attempt < 240; attempt += 1) {
      const answer = await apiCall<{ version: number }>(routingUrls[attempt % routingUrls.length]!, 'PUT', this.policyPath(), this.policy(canaryWeight)).catch(() => null);
      if (answer?.status === 200) {
        return answer.body.version;
      }
      await sleep(250);
    }
    return null;
  }

  /** The routing-policy version the gateway reports applied, as any routing-control replica sees it (null when unknown). */
  async appliedVersion(routingUrls: readonly string[]): Promise<number | null> {
    for (const url of routingUrls) {
      const status = await apiCall<GatewayStatusBody>(url, 'GET', `${this.policyPath()}/status`).catch(() => null);
      const gateway = status?.status === 200 ? status.body.gateways.find((candidate) => candidate.gatewayId === this.gatewayId) : undefined;
      if (gateway) {
        return gateway.status === 'in-sync' ? gateway.appliedVersion : null;
      }
    }
    return null;
  }

  /** The policy's current version as any routing-control replica answers (null when none does). */
  async currentVersion(routingUrls: readonly string[]): Promise<number | null> {
    for (const url of routingUrls) {
      const answer = await apiCall<{ version: number }>(url, 'GET', this.policyPath()).catch(() => null);
      if (answer?.status === 200) {
        return answer.body.version;
      }
    }
    return null;
  }

  /**
   * Starts a canary rollout of `canary` (20 %, a 2 s pause, 50 %, a 2 s pause, 100 %) through any
   * routing-control replica: the timed steps are routing-control's own work, which a killed replica
   * must not strand. Its id, or null when no replica took it for a minute.
   */
  async startRollout(routingUrls: readonly string[], name: string, canary: string): Promise<string | null> {
    const steps = [{ setWeight: 20 }, { pause: { duration: '2s' } }, { setWeight: 50 }, { pause: { duration: '2s' } }, { setWeight: 100 }];
    for (let attempt = 0; attempt < 240; attempt += 1) {
      const answer = await apiCall<{ id: string }>(routingUrls[attempt % routingUrls.length]!, 'POST', `/v1/stacks/${this.stack}/rollouts`, { name, spec: { environment: 'production', versionGroup: canary, steps } }).catch(() => null);
      if (answer?.status === 201) {
        return answer.body.id;
      }
      if (answer && answer.status < 500 && answer.status !== 409 && answer.status !== 412) {
        throw new Error(`starting rollout ${name} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      }
      await sleep(250);
    }
    return null;
  }

  /** A rollout's phase as any routing-control replica answers (null when none does). */
  async rolloutPhase(routingUrls: readonly string[], id: string): Promise<string | null> {
    for (const url of routingUrls) {
      const answer = await apiCall<{ phase: string }>(url, 'GET', `/v1/rollouts/${id}`).catch(() => null);
      if (answer?.status === 200) {
        return answer.body.phase;
      }
    }
    return null;
  }
}
