import { Injectable, PipeTransform } from '@nestjs/common';
import { DomainViolation } from '@strata/domain';
import { RequestValidationException } from '@strata/observability';
import { SeriesBatch, SeriesLabels } from '../domain/series-batch';
import { MAX_BATCHES_PER_REQUEST, METRIC_NAME, METRIC_NAME_MESSAGE, SERIES_LABEL_RULES } from '../dtos/ingest.dto';
import { firstHistogramProblem, firstSampleProblem } from '../dtos/sample-validation';

const BODY_KEYS = new Set(['batches']);
const BATCH_KEYS = new Set(['series', 'samples', 'histograms']);
const LABELS = Object.keys(SERIES_LABEL_RULES) as Array<keyof typeof SERIES_LABEL_RULES>;
const LABEL_KEYS = new Set<string>(LABELS);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKeys(record: Record<string, unknown>, known: ReadonlySet<string>, path: string): DomainViolation[] {
  return Object.keys(record)
    .filter((key) => !known.has(key))
    .map((key) => ({ field: path ? `${path}.${key}` : key, message: `property ${key} should not exist` }));
}

function labelProblem(label: keyof typeof SERIES_LABEL_RULES, value: unknown): string | null {
  const rule = SERIES_LABEL_RULES[label];
  if (value === undefined || value === null) {
    return rule.required ? `${label} must be a string` : null;
  }
  if (typeof value !== 'string') {
    return `${label} must be a string`;
  }
  if (value.length < rule.minLength) {
    return `${label} must be longer than or equal to ${rule.minLength} characters`;
  }
  if (value.length > rule.maxLength) {
    return `${label} must be shorter than or equal to ${rule.maxLength} characters`;
  }
  return label === 'metric' && !METRIC_NAME.test(value) ? METRIC_NAME_MESSAGE : null;
}

function batchViolations(batch: unknown, path: string): DomainViolation[] {
  if (!isRecord(batch)) {
    return [{ field: path, message: 'must be an object {series, samples, histograms?}' }];
  }
  const violations = unknownKeys(batch, BATCH_KEYS, path);
  const { series, samples, histograms } = batch;
  if (isRecord(series)) {
    violations.push(...unknownKeys(series, LABEL_KEYS, `${path}.series`));
    for (const label of LABELS) {
      const problem = labelProblem(label, series[label]);
      if (problem !== null) {
        violations.push({ field: `${path}.series.${label}`, message: problem });
      }
    }
  } else {
    violations.push({ field: `${path}.series`, message: 'must be an object of labels {stack, environment, component, metric, stackConfig?, node?}' });
  }
  const sampleProblem = firstSampleProblem(samples);
  if (sampleProblem !== null) {
    violations.push({ field: `${path}.samples`, message: sampleProblem });
  }
  const histogramProblem = histograms === undefined || histograms === null ? null : firstHistogramProblem(histograms);
  if (histogramProblem !== null) {
    violations.push({ field: `${path}.histograms`, message: histogramProblem });
  }
  return violations;
}

/** Every problem of a `POST /v1/samples` body, one per field (a batch's samples: the first bad one). */
export function samplesBodyViolations(body: unknown): DomainViolation[] {
  if (!isRecord(body)) {
    return [{ field: 'body', message: 'must be an object {batches: [...]}' }];
  }
  const violations = unknownKeys(body, BODY_KEYS, '');
  const { batches } = body;
  if (!Array.isArray(batches) || batches.length < 1 || batches.length > MAX_BATCHES_PER_REQUEST) {
    violations.push({ field: 'batches', message: `must be an array of 1 to ${MAX_BATCHES_PER_REQUEST} batches` });
    return violations;
  }
  batches.forEach((batch, index) => violations.push(...batchViolations(batch, `batches[${index}]`)));
  return violations;
}

function labelsOf(series: Record<string, unknown>): SeriesLabels {
  const text = (label: keyof typeof SERIES_LABEL_RULES) => series[label] as string;
  return {
    stack: text('stack'),
    environment: text('environment'),
    component: text('component'),
    ...(series['stackConfig'] !== undefined && series['stackConfig'] !== null ? { stackConfig: text('stackConfig') } : {}),
    ...(series['node'] !== undefined && series['node'] !== null ? { node: text('node') } : {}),
    metric: text('metric'),
  };
}

/**
 * The `POST /v1/samples` body checked by hand against the rules of IngestSamplesDto (which still
 * documents it) and turned into batches, for `@Body(SamplesBodyPipe) batches: SeriesBatch[]`.
 * With that parameter type the global ValidationPipe leaves the body alone: it would otherwise
 * walk every sample object twice and have class-transformer build the DTO, most of what intake
 * costs in Node. Unlike the DTO, a batch must carry its series as an object.
 */
@Injectable()
export class SamplesBodyPipe implements PipeTransform<unknown, SeriesBatch[]> {
  transform(body: unknown): SeriesBatch[] {
    const violations = samplesBodyViolations(body);
    if (violations.length > 0) {
      throw new RequestValidationException(violations);
    }
    // Checked above: an object with 1..1000 batches, each with labels, samples and optional histograms.
    const { batches } = body as { batches: Array<Record<string, unknown> & { series: Record<string, unknown> }> };
    return batches.map((batch, index) => ({
      labels: labelsOf(batch.series),
      samples: batch['samples'] as SeriesBatch['samples'],
      histograms: (batch['histograms'] ?? []) as SeriesBatch['histograms'],
      path: `batches[${index}]`,
    }));
  }
}
