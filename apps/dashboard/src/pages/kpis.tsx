import { useMemo, useState } from 'react';
import { query } from '../api';
import { chartColumns, utcStamp } from '../chart-data';
import { KpiChart } from '../kpi-chart';
import { useLiveTick } from '../live';
import { Anomaly, Forecast, Series } from '../model';
import { link } from '../route';
import { Badge, Empty, More, Problem, Section, figure } from '../ui';
import { useApi } from '../use-api';
import { useList } from '../use-list';

const RANGES = { '15 min': 15 * 60_000, '1 h': 60 * 60_000, '6 h': 6 * 60 * 60_000, '24 h': 24 * 60 * 60_000 } as const;
const AGGREGATIONS = ['avg', 'sum', 'max', 'p95', 'p99', 'rate'] as const;
const KPI_TOPICS = ['kpi.windows', 'anomalies', 'forecasts'];

const describe = (series: Series) => [series.labels.metric, series.labels.environment, series.labels.component, series.labels.stackConfig, series.labels.node].filter(Boolean).join(' · ');

/** A counter's natural reading is its sum per step, anything else its mean. */
const defaultAggregation = (metric: string) => (/_(total|count|sum|bucket)$/.test(metric) ? 'sum' : 'avg');

function SeriesChart({ series, stack }: { series: Series; stack: string }) {
  const tick = useLiveTick(KPI_TOPICS, stack, 1_000);
  const [range, setRange] = useState<keyof typeof RANGES>('1 h');
  const [aggregation, setAggregation] = useState<string>(defaultAggregation(series.labels.metric));
  // The window moves on with each live tick, so new windows scroll in.
  const end = useMemo(() => Math.ceil(Date.now() / 10_000) * 10_000, [tick]);
  const start = end - RANGES[range];
  const step = Math.max(10_000, Math.ceil(RANGES[range] / 360 / 10_000) * 10_000);
  const id = encodeURIComponent(series.id);
  const points = useApi<{ points: { timestamp: number; value: number }[] }>(`/v1/series/${id}/range${query({ start, end, step, aggregation })}`, tick);
  const forecast = useApi<Forecast>(`/v1/series/${id}/forecast`, tick);
  // Every anomaly in the range, however many pages: a marker left out would read as no anomaly there.
  const found = useList<Anomaly>(`/v1/anomalies${query({ seriesId: series.id, from: new Date(start).toISOString() })}`, tick, { step: Infinity, maxLimit: 1000, paged: true });
  const columns = useMemo(
    () => chartColumns(points.data?.points ?? [], forecast.data?.points ?? [], (found.data ?? []).map((anomaly) => ({ at: anomaly.at, observed: anomaly.evidence.observed, severity: anomaly.severity })), step),
    [points.data, forecast.data, found.data, step],
  );
  return (
    <Section title={describe(series)} testId="kpi-series">
      <div className="controls">
        <select aria-label="range" value={range} onChange={(event) => setRange(event.target.value as keyof typeof RANGES)}>
          {Object.keys(RANGES).map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
        <select aria-label="aggregation" value={aggregation} onChange={(event) => setAggregation(event.target.value)}>
          {AGGREGATIONS.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </div>
      <Problem error={points.error ?? found.error} />
      <KpiChart columns={columns} title={`${series.labels.metric} (${aggregation} per ${step / 1000} s)`} />
      {forecast.data ? (
        <p className="hint" data-testid="forecast-note">
          forecast made {utcStamp(Date.parse(forecast.data.madeAt) / 1000)}: {forecast.data.horizon} steps of {forecast.data.stepMs / 1000} s, {Math.round(forecast.data.level * 100)} % interval, {forecast.data.model.kind} {forecast.data.model.method} ({forecast.data.model.reason})
        </p>
      ) : (
        <p className="hint">no forecast for this series yet (POST /v1/series/{series.id}/forecasts makes one once it has enough history)</p>
      )}
      {(found.data?.length ?? 0) > 0 ? (
        <ul className="anomalies">
          {found.data?.map((anomaly) => (
            <li key={anomaly.id}>
              <Badge value={anomaly.severity} /> {utcStamp(Date.parse(anomaly.at) / 1000)}: observed {figure(anomaly.evidence.observed)}, expected {figure(anomaly.evidence.expected)} (score {anomaly.score.toFixed(2)})
            </li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}

/** The stack's KPI series; one charted with its forecast band and anomalies. */
export function KpisPage({ stack, id }: { stack: string; id: string | null }) {
  const list = useList<Series>(`/v1/series${query({ stack })}`, useLiveTick(['kpi.windows'], stack, 5_000), { step: 200, maxLimit: 1000, paged: true });
  const items = list.data ?? [];
  // A series asked for by id is shown or said missing, never replaced by another one's chart.
  const selected = id === null ? items[0] : items.find((series) => series.id === id);
  return (
    <>
      <h1>KPIs · {stack}</h1>
      <Problem error={list.error} />
      {list.data && items.length === 0 ? <Empty>No KPI series for this stack yet: traffic through the gateway, heartbeats or POST /v1/samples make them.</Empty> : null}
      {list.data && items.length > 0 && !selected ? <Empty>No series {id} among the KPI series of {stack} listed here: {list.more ? 'load more below, or ' : ''}pick one below.</Empty> : null}
      <div className="kpis">
        <ul className="series-list">
          {items.map((series) => (
            <li key={series.id} className={series.id === selected?.id ? 'active' : ''}>
              <a href={link('kpis', series.id)}>{describe(series)}</a>
            </li>
          ))}
          {list.more ? (
            <li>
              <More list={list} noun="series" />
            </li>
          ) : null}
        </ul>
        <div>{selected ? <SeriesChart key={selected.id} series={selected} stack={stack} /> : null}</div>
      </div>
    </>
  );
}
