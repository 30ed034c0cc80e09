import { Injectable } from '@nestjs/common';
import { STORABLE_KPI_VALUE, isStorableKpiValue } from '@strata/contracts';
import { DomainError, DomainViolation } from '@strata/domain';
import { NodeHeartbeat, heartbeatBatches } from '../collectors/heartbeat-series';
import { IngestOutcome, IngestService } from './ingest.service';

const RESOURCE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
export const MAX_RESOURCES_PER_HEARTBEAT = 100;

/** Resource figures of node heartbeats (the registry keeps only the last ones) as series. */
@Injectable()
export class HeartbeatsService {
  constructor(private readonly ingest: IngestService) {}

  record(beat: NodeHeartbeat): Promise<IngestOutcome> {
    const entries = Object.entries(beat.resources);
    const violations: DomainViolation[] = entries.flatMap(([name, value]): DomainViolation[] => {
      if (!RESOURCE_NAME.test(name)) return [{ field: `resources.${name}`, message: 'must be a name of letters, digits and _ starting with a letter (≤ 64)' }];
      if (!isStorableKpiValue(value)) return [{ field: `resources.${name}`, message: `must be ${STORABLE_KPI_VALUE}` }];
      return [];
    });
    if (entries.length === 0 || entries.length > MAX_RESOURCES_PER_HEARTBEAT) {
      violations.push({ field: 'resources', message: `must hold 1 to ${MAX_RESOURCES_PER_HEARTBEAT} figures` });
    }
    if (violations.length > 0) {
      throw DomainError.invalid(`the heartbeat was refused, nothing was stored: ${violations.map((violation) => `${violation.field} ${violation.message}`).join('; ')}`, violations);
    }
    return this.ingest.ingest(heartbeatBatches(beat), 'heartbeat');
  }
}
