import { Injectable } from '@nestjs/common';
import { DomainError } from '@strata/domain';
import { Aggregation, RangePoint, RangeSource, aggregateRaw, aggregateRollups, chooseSource, counterRate } from '../domain/range-aggregation';
import { RollupsRepository } from '../repositories/rollups.repository';
import { SeriesFilter, SeriesRecord, SeriesRepository } from '../repositories/series.repository';

/** Prometheus' own cap on points per series in a range query. */
export const MAX_RANGE_POINTS = 11_000;
/** The largest step a range query takes: 31 days. */
export const MAX_RANGE_STEP_MS = 86_400_000 * 31;
/** Raw samples read for one range query; beyond, the caller must narrow the range or use a rollup step. */
export const MAX_RAW_SAMPLES = 500_000;

export interface RangeQuery {
  start: number;
  end: number;
  step: number;
  aggregation: Aggregation;
}

export interface RangeResult {
  series: SeriesRecord;
  source: RangeSource;
  points: RangePoint[];
}

@Injectable()
export class SeriesQueryService {
  constructor(
    private readonly series: SeriesRepository,
    private readonly rollups: RollupsRepository,
  ) {}

  search(filter: SeriesFilter, limit: number, after: string | undefined): Promise<{ items: SeriesRecord[]; nextCursor: string | null }> {
    return this.series.search(filter, limit, after);
  }

  async get(id: string): Promise<SeriesRecord> {
    const series = await this.series.findById(id);
    if (!series) {
      throw DomainError.notFound('series', id);
    }
    return series;
  }

  async range(id: string, query: RangeQuery): Promise<RangeResult> {
    if (query.end <= query.start) {
      throw DomainError.invalid('end must be after start', [{ field: 'end', message: 'must be after start' }]);
    }
    if ((query.end - query.start) / query.step > MAX_RANGE_POINTS) {
      const smallestStep = Math.ceil((query.end - query.start) / MAX_RANGE_POINTS);
      // A step the query may not take is no advice: past the largest one, only a narrower range helps.
      if (smallestStep > MAX_RANGE_STEP_MS) {
        throw DomainError.invalid(`the range is longer than ${MAX_RANGE_POINTS} steps of the largest step (${MAX_RANGE_STEP_MS} ms)`, [
          { field: 'end', message: `must be at most ${MAX_RANGE_POINTS * MAX_RANGE_STEP_MS} ms after start` },
        ]);
      }
      throw DomainError.invalid(`the range holds more than ${MAX_RANGE_POINTS} steps; widen the step`, [{ field: 'step', message: `must be at least ${smallestStep} for this range` }]);
    }
    const series = await this.get(id);
    const source = chooseSource(query.aggregation, query.step);
    // Steps are aligned on multiples of the step, so the range widens to whole steps.
    const from = Math.floor(query.start / query.step) * query.step;
    const to = query.end;
    if (query.aggregation === 'rate') {
      const samples = await this.rawSamples(id, from - query.step, to);
      return { series, source, points: counterRate(samples, query.step, from) };
    }
    if (source === 'raw') {
      return { series, source, points: aggregateRaw(await this.rawSamples(id, from, to), query.step, query.aggregation) };
    }
    const rows = await this.rollups.rollups(source === 'rollup-1m' ? 'rollups_1m' : 'rollups_10s', id, from, to);
    return { series, source, points: aggregateRollups(rows, query.step, query.aggregation) };
  }

  private async rawSamples(id: string, from: number, to: number) {
    const samples = await this.rollups.samples(id, from, to, MAX_RAW_SAMPLES + 1);
    if (samples.length > MAX_RAW_SAMPLES) {
      throw DomainError.invalid(`the range holds more than ${MAX_RAW_SAMPLES} raw samples; narrow it or use a step that is a multiple of 10 s`, [
        { field: 'step', message: 'use a multiple of 10000 to read rollups' },
      ]);
    }
    return samples;
  }
}
