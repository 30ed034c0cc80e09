import { Logger } from '@strata/observability';
import { CompiledRoutingPolicy, UpstreamNode } from './compiled-routing-policy';
import { Clock } from './clock';

/**
 * The outlier detector: feeds each exchange's outcome (a request, a health probe) to the node's
 * ejection state, and recomputes which nodes may take traffic when a node is ejected or comes
 * back, or when time passes (`refresh`, on a timer: an ejection ends by itself).
 */
export class OutlierDetector {
  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** After availability was recomputed: the routing mode may have changed. */
    private readonly onAvailabilityRefreshed: (routing: CompiledRoutingPolicy) => void,
  ) {}

  record(routing: CompiledRoutingPolicy, node: UpstreamNode, succeeded: boolean): void {
    const now = this.clock.now();
    if (succeeded) {
      if (node.outlier.recordSuccess(now)) {
        this.logger.info('backend node recovered', { node: node.id });
        this.refresh(routing);
      }
    } else if (node.outlier.recordFailure(now)) {
      this.logger.warn('backend node ejected', { node: node.id, ejections: node.outlier.ejectionCount });
      this.refresh(routing);
    }
  }

  refresh(routing: CompiledRoutingPolicy): void {
    routing.refreshAvailability(this.clock.now());
    this.onAvailabilityRefreshed(routing);
  }
}
