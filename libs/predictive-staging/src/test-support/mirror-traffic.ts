import { SeededRandom } from '@strata/analytics';
import type { MirrorSideFigures } from '../domain/mirror-verdict';

/** One side's traffic in a KPI window, as a scenario states it. */
export interface SideTraffic {
  requests: number;
  medianMs: number;
  clientErrorRate?: number;
  serverErrorRate?: number;
  /** Every request goes unanswered (the staging config is down). */
  down?: boolean;
}

/**
 * One side's figures in a window: each request log-normal around the median (σ 0.4), bucketed as
 * the gateway's latency ladder does (4 buckets per doubling), its status drawn from the rates.
 */
export function sideFigures(random: SeededRandom, traffic: SideTraffic): MirrorSideFigures {
  const buckets = new Map<number, number>();
  let clientErrors = 0;
  let serverErrors = 0;
  for (let request = 0; request < traffic.requests; request++) {
    const latency = traffic.down ? 1 : traffic.medianMs * Math.exp(0.4 * random.normal());
    const bucket = Number((2 ** (Math.ceil(Math.log2(latency) * 4) / 4)).toPrecision(6));
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
    const draw = random.next();
    if (draw < (traffic.clientErrorRate ?? 0)) clientErrors++;
    else if (draw < (traffic.clientErrorRate ?? 0) + (traffic.serverErrorRate ?? 0)) serverErrors++;
  }
  const values = [...buckets.keys()].sort((left, right) => left - right);
  return {
    requests: traffic.requests,
    clientErrors: traffic.down ? 0 : clientErrors,
    serverErrors: traffic.down ? 0 : serverErrors,
    connectErrors: traffic.down ? traffic.requests : 0,
    latency: { values, counts: values.map((value) => buckets.get(value) ?? 0) },
  };
}
