import { Injectable } from '@nestjs/common';
import { GatewayFallbackChangedV1 } from '@strata/contracts';
import { EntityManager } from 'typeorm';
import { ROUTING_CONTROL_SCHEMA } from '../database/routing-control-schema';

/** The only code touching the gateways' availability reports. */
@Injectable()
export class GatewayAvailabilityRepository {
  /** Keeps a gateway's newest report; an older one arriving late changes nothing. */
  async record(manager: EntityManager, report: GatewayFallbackChangedV1, reportedAt: Date): Promise<void> {
    await manager.query(
      `INSERT INTO "${ROUTING_CONTROL_SCHEMA}".gateway_availability (stack, environment, gateway_id, mode, unavailable_configs, policy_version, reported_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (stack, environment, gateway_id) DO UPDATE
         SET mode = excluded.mode, unavailable_configs = excluded.unavailable_configs, policy_version = excluded.policy_version, reported_at = excluded.reported_at
       WHERE gateway_availability.reported_at <= excluded.reported_at`,
      [report.stack, report.environment, report.gatewayId, report.mode, JSON.stringify(report.unavailableConfigs), report.version, reportedAt],
    );
  }

  /**
   * Gateways that last reported `stackConfig` without an available node, among those whose config
   * status was refreshed within `liveWithinMs` (a gateway repeats its ACK at every policy resync; a
   * gateway gone for good must not hold rollouts forever).
   */
  async reportingUnavailable(manager: EntityManager, scope: { stack: string; environment: string }, stackConfig: string, liveWithinMs: number): Promise<{ gatewayId: string; reportedAt: Date }[]> {
    const rows = (await manager.query(
      `SELECT report.gateway_id, report.reported_at
         FROM "${ROUTING_CONTROL_SCHEMA}".gateway_availability report
         JOIN "${ROUTING_CONTROL_SCHEMA}".gateway_status status USING (stack, environment, gateway_id)
        WHERE report.stack = $1 AND report.environment = $2 AND jsonb_exists(report.unavailable_configs, $3)
          AND status.updated_at > now() - make_interval(secs => $4)`,
      [scope.stack, scope.environment, stackConfig, liveWithinMs / 1000],
    )) as { gateway_id: string; reported_at: Date }[];
    return rows.map((row) => ({ gatewayId: row.gateway_id, reportedAt: row.reported_at }));
  }
}
