import { Injectable } from '@nestjs/common';
import { request } from 'undici';
import { QueryRangeAnswer, readQueryRangeAnswer } from '../collectors/query-range-response';

export interface QueryRangeRequest {
  baseUrl: string;
  query: string;
  /** Epoch milliseconds, inclusive; Prometheus evaluates start, start+step, …, ≤ end. */
  start: number;
  end: number;
  stepMs: number;
  timeoutMs: number;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** Asks a Prometheus for `query_range`; every failure (network, timeout, refusal) is an answer, never a throw. */
@Injectable()
export class PrometheusQueryClient {
  async queryRange(input: QueryRangeRequest): Promise<QueryRangeAnswer> {
    const url = `${input.baseUrl.replace(/\/+$/, '')}/api/v1/query_range`;
    // POST (form) so a long PromQL never meets a URL length limit; `timeout` stops Prometheus too.
    const form = new URLSearchParams({ query: input.query, start: seconds(input.start), end: seconds(input.end), step: seconds(input.stepMs), timeout: seconds(input.timeoutMs) });
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        headersTimeout: input.timeoutMs,
        bodyTimeout: input.timeoutMs,
        signal: AbortSignal.timeout(input.timeoutMs),
      });
      const text = await response.body.text();
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        if (response.statusCode >= 200 && response.statusCode < 300) {
          return { ok: false, error: `Prometheus answered ${response.statusCode} with a body that is not JSON: ${text.slice(0, 200)}` };
        }
      }
      return readQueryRangeAnswer(response.statusCode, body);
    } catch (error) {
      return { ok: false, error: `${url}: ${describeRequestError(error as Error & { code?: string }, input.timeoutMs)}` };
    }
  }
}

function describeRequestError(error: Error & { code?: string; cause?: unknown }, timeoutMs: number): string {
  if (error.name === 'TimeoutError' || error.code === 'UND_ERR_HEADERS_TIMEOUT' || error.code === 'UND_ERR_BODY_TIMEOUT') {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
