import { ConsumerPosition } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { within } from '@strata/runtime';
import { AppliedWatermark } from '../domain/applied-watermark';

/**
 * How long a pass waits for the group's positions. kafkajs retries an admin request for a minute
 * and more while the broker is away: a pass must neither stall publication nor hold a shutdown up.
 */
export const POSITIONS_WAIT_MS = 2_000;

/**
 * The applied watermark of the `kpi-samples` group, read through the bus. One question at a time:
 * while one is unanswered, later passes wait on it rather than ask again (no pile of retrying
 * requests behind a broker that is away), and its answer is observed at the moment it was asked
 * (the log's ends it holds were read after that moment, never before).
 */
export class KpiSamplesWatermark {
  private readonly watermark = new AppliedWatermark();
  private asked: { at: number; positions: Promise<ConsumerPosition[]> } | null = null;
  private unknownSince: number | null = null;

  constructor(
    private readonly readPositions: () => Promise<ConsumerPosition[]>,
    private readonly logger: Logger,
  ) {}

  /** The moment up to which flushes are applied after asking the bus (as it was, if no answer comes in time). */
  async appliedAt(now: number): Promise<number | null> {
    const asked = this.asked ?? this.ask(now);
    try {
      const positions = await within(asked.positions, POSITIONS_WAIT_MS, 'reading where the kpi-samples group stands');
      if (this.unknownSince !== null) this.logger.info('the kpi-samples group can be read again: KPI windows follow it', { unknownForMs: now - this.unknownSince });
      this.unknownSince = null;
      return this.watermark.observe(asked.at, positions);
    } catch (error) {
      if (this.unknownSince === null) {
        this.unknownSince = now;
        this.logger.warn('cannot read where the kpi-samples group stands: KPI windows wait for it (at most one window less than the catch-up span)', { reason: error instanceof Error ? error.message : String(error) });
      }
      return this.watermark.at;
    }
  }

  private ask(now: number): { at: number; positions: Promise<ConsumerPosition[]> } {
    const asked = { at: now, positions: this.readPositions() };
    this.asked = asked;
    const settled = () => {
      if (this.asked === asked) this.asked = null;
    };
    asked.positions.then(settled, settled);
    return asked;
  }
}
