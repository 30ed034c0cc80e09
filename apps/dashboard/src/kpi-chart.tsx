import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { CHART_SERIES, ChartColumns, utcStamp, valueCount } from './chart-data';

const { observed, forecast, lower, upper, anomalies } = CHART_SERIES;

function options(width: number, title: string): uPlot.Options {
  return {
    title,
    width,
    height: 320,
    scales: { x: { time: true } },
    // The API's times are UTC: the axis and the legend show UTC and say so, whatever the browser's own zone.
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    series: [
      { label: 'time (UTC)', value: (_plot, seconds, _series, index) => (index === null ? '--' : utcStamp(seconds)) },
      // spanGaps false: the nulls chartColumns puts where samples are missing break the line.
      { label: 'observed', stroke: '#2563eb', width: 2, spanGaps: false },
      { label: 'forecast', stroke: '#9333ea', width: 2, dash: [6, 4] },
      { label: 'lower', stroke: 'rgba(147, 51, 234, 0.35)', width: 1 },
      { label: 'upper', stroke: 'rgba(147, 51, 234, 0.35)', width: 1 },
      { label: 'anomaly', stroke: '#dc2626', width: 0, points: { show: true, size: 11, fill: '#dc2626', stroke: '#7f1d1d' }, paths: () => null },
    ],
    // The prediction interval: filled between its upper and lower bound.
    bands: [{ series: [upper, lower], fill: 'rgba(147, 51, 234, 0.15)' }],
    axes: [{ label: 'time (UTC)', labelSize: 20 }, { size: 60 }],
  };
}

/** A KPI series with its forecast band and anomaly markers (uPlot: canvas, fast enough to redraw on every window). */
export function KpiChart({ columns, title }: { columns: ChartColumns; title: string }) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    plot.current = new uPlot(options(Math.max(element.clientWidth, 400), title), columns as uPlot.AlignedData, element);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the series changes; new data goes through setData below.
  }, [title]);
  useEffect(() => {
    plot.current?.setData(columns as uPlot.AlignedData);
  }, [columns]);
  return <div ref={container} className="chart" data-testid="kpi-chart" data-points={valueCount(columns[observed])} data-forecast-points={valueCount(columns[forecast])} data-anomalies={valueCount(columns[anomalies])} />;
}
