import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One Prometheus registry per process: in embedded mode every service module reports into it,
 * so `/metrics` on the one origin shows the whole process.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'strata_process_' });

const httpDuration = new Histogram({
  name: 'strata_http_request_duration_seconds',
  help: 'Management API request duration by method, route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

/** Accepted writes whose audit row could not be written (the entry is in the error log instead). */
export const auditWriteFailures = new Counter({
  name: 'strata_audit_write_failures_total',
  help: 'Accepted writes whose audit row could not be written; each entry is logged in full instead',
  labelNames: ['service'] as const,
  registers: [metricsRegistry],
});

export function httpMetricsMiddleware(request: Request, response: Response, next: NextFunction): void {
  const stop = httpDuration.startTimer();
  response.once('finish', () => {
    // Route templates, never raw URLs: ids in paths would explode the label set.
    const route = request.route?.path ? `${request.baseUrl}${String(request.route.path)}` : 'unmatched';
    stop({ method: request.method, route, status: String(response.statusCode) });
  });
  next();
}
