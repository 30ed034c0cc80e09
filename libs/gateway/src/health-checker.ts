import { CompiledRoutingPolicy } from './compiled-routing-policy';
import { VERSION_HEADER } from './gateway-headers';
import { OutlierDetector } from './outlier-detector';
import { VersionDiscovery } from './version-discovery';

const PROBE_TIMEOUT_MS = 5_000;

/**
 * Active health checks of the routing served, when its config asks for them: every node is probed
 * at `healthCheck.path` each interval. A probe's outcome feeds the outlier detector (the recovery
 * probe of an ejected node) and its reported version the version discovery.
 */
export class HealthChecker {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly outliers: OutlierDetector,
    private readonly versions: VersionDiscovery,
  ) {}

  /** Probes this routing from now on, on its config's interval; a routing without health checks stops them. */
  watch(routing: CompiledRoutingPolicy): void {
    this.stop();
    const check = routing.update.config.healthCheck;
    if (check) {
      this.timer = setInterval(() => void this.probeAll(routing), check.intervalMs);
      this.timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round of probes; resolves when every probe has answered or failed. */
  async probeAll(routing: CompiledRoutingPolicy): Promise<void> {
    const path = routing.update.config.healthCheck?.path;
    if (!path) {
      return;
    }
    await Promise.all(
      routing.nodes.map((node) =>
        node.pool.request({ path, method: 'GET', headersTimeout: PROBE_TIMEOUT_MS, bodyTimeout: PROBE_TIMEOUT_MS }).then(
          async (answer) => {
            const text = await answer.body.text();
            // The health payload is the authoritative report; the header only when it has none.
            const version = healthPayloadVersion(text) ?? answer.headers[VERSION_HEADER];
            node.lastReportedVersion = undefined;
            this.versions.observe(routing, node, version, 'health-check');
            this.outliers.record(routing, node, answer.statusCode < 500);
          },
          () => this.outliers.record(routing, node, false),
        ),
      ),
    );
  }
}

export function healthPayloadVersion(text: string): string | undefined {
  try {
    const payload: unknown = JSON.parse(text);
    if (typeof payload === 'object' && payload !== null && 'version' in payload && typeof payload.version === 'string') {
      return payload.version;
    }
  } catch {
    // Not JSON: the version header, if any, is all there is.
  }
  return undefined;
}
