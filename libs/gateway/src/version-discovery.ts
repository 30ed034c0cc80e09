import { Topics } from '@strata/contracts';
import { newEvent } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { CompiledRoutingPolicy, UpstreamNode } from './compiled-routing-policy';
import { GATEWAY_SERVICE, ReportSink } from './gateway-events';

export type VersionSource = 'response-header' | 'health-check';

/**
 * Compares the version each backend node reports (on its answers or its health payload) with the
 * version its routing config declares, and reports a mismatch once per node and version. A steady
 * node costs one string compare per answer.
 */
export class VersionDiscovery {
  constructor(
    private readonly location: 'staging' | 'production',
    private readonly report: ReportSink,
    private readonly logger: Logger,
  ) {}

  observe(routing: CompiledRoutingPolicy, node: UpstreamNode, reported: string | string[] | undefined, source: VersionSource): void {
    if (typeof reported !== 'string' || reported === node.lastReportedVersion) {
      return;
    }
    node.lastReportedVersion = reported;
    if (node.expectedVersion === undefined || reported === node.expectedVersion || node.reportedMismatches.has(reported)) {
      return;
    }
    node.reportedMismatches.add(reported);
    const { stack, environment, config } = routing.update;
    this.logger.warn('backend node reports another version than declared', { node: node.id, declared: node.expectedVersion, reported });
    const event = newEvent({
      type: 'io.strata.registry.version-mismatch.detected.v1',
      service: GATEWAY_SERVICE,
      subject: stack,
      data: {
        stack,
        environment,
        location: this.location,
        component: config.component,
        address: node.url,
        declaredVersion: node.expectedVersion,
        discoveredVersion: reported,
        source,
      },
    });
    this.report([{ topic: Topics.registryEvents, key: stack, value: JSON.stringify(event) }]);
  }
}
