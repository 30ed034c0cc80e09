import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { BodyComparisonSettings, jsonDifferences } from '@strata/domain';
import { Clock } from './clock';
import type { CompiledRoutingPolicy } from './compiled-routing-policy';
import { MIRROR_HEADER } from './gateway-headers';
import { TrafficStats, outcomeOfStatus } from './traffic-stats';

/**
 * The two answers to one mirrored request, production's and the staging copy's, compared as JSON
 * once both are whole (`compareBodies` of the routing policy's mirror). Production's body is copied
 * as it is relayed, chunk by chunk, never held back from the caller; past `maxBytes` on either side,
 * a body that is not JSON (or is compressed), an answer that failed or was retried elsewhere, the
 * pair is not compared. The comparison runs after both ended, off the relay, and is counted in the
 * staging config's mirror stats (`gateway_mirror_body_comparisons_total`, `…_body_mismatches_total`).
 */
export class MirroredBodies {
  private production: Buffer[] | null = [];
  private productionBytes = 0;
  private productionEnded = false;
  private mirror: string | null | undefined;

  constructor(
    private readonly settings: BodyComparisonSettings,
    private readonly stats: TrafficStats,
  ) {}

  /** A chunk of production's answer, as relayed to the caller. */
  addProduction(chunk: Buffer): void {
    if (this.production === null) return;
    this.productionBytes += chunk.length;
    if (this.productionBytes > this.settings.maxBytes) {
      this.production = null;
      return;
    }
    this.production.push(Buffer.from(chunk));
  }

  /** Production's answer ended: whole and relayed, or not (failed, retried on stable). */
  endProduction(whole: boolean): void {
    if (this.productionEnded) return;
    this.productionEnded = true;
    if (!whole) this.production = null;
    this.settle();
  }

  /** The copy's body as text, or null when it failed or was too long. */
  endMirror(body: string | null): void {
    this.mirror = body;
    this.settle();
  }

  private settle(): void {
    if (!this.productionEnded || this.mirror === undefined) return;
    const production = this.production;
    const mirror = this.mirror;
    if (production === null || mirror === null) return;
    setImmediate(() => this.compare(Buffer.concat(production).toString('utf8'), mirror));
  }

  private compare(production: string, mirror: string): void {
    let left: unknown;
    let right: unknown;
    try {
      left = JSON.parse(production);
      right = JSON.parse(mirror);
    } catch {
      return;
    }
    this.stats.recordBodyComparison(jsonDifferences(left, right, this.settings.ignoreFields, 1).length === 0);
  }
}

/** Reads a body up to `maxBytes`; null (and the rest discarded) beyond it or when it fails. */
export async function readBounded(body: Readable, maxBytes: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += (chunk as Buffer).length;
      if (bytes > maxBytes) {
        body.destroy();
        return null;
      }
      chunks.push(chunk as Buffer);
    }
  } catch {
    return null;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Fire and forget: the copy's response never reaches the caller, only the staging config's KPIs.
 * With `compareBodies`, its body is read (bounded) and compared with production's once both end.
 */
export function mirrorRequest(routing: CompiledRoutingPolicy, request: IncomingMessage, headers: readonly string[], clock: Clock): MirroredBodies | undefined {
  const node = routing.pickMirrorNode();
  if (!node) {
    return undefined;
  }
  const comparison = routing.update.config.mirror?.compareBodies;
  const bodies = comparison ? new MirroredBodies(comparison, node.mirrorStats) : undefined;
  const startedAt = clock.monotonic();
  node.mirrorOutstanding++;
  node.pool.request({ path: request.url as string, method: request.method as string, headers: [...headers, MIRROR_HEADER, '1'], body: null }).then(
    (answer) => {
      node.mirrorOutstanding--;
      node.mirrorStats.record(outcomeOfStatus(answer.statusCode), clock.monotonic() - startedAt);
      if (bodies && comparison) {
        void readBounded(answer.body, comparison.maxBytes).then((text) => bodies.endMirror(text));
      } else {
        answer.body.dump().catch(() => undefined);
      }
    },
    () => {
      node.mirrorOutstanding--;
      node.mirrorStats.record('connect-error', clock.monotonic() - startedAt);
      bodies?.endMirror(null);
    },
  );
  return bodies;
}
