import { stringify } from 'yaml';
import { UsageError } from './errors';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface Column<T = never> {
  header: string;
  value: (item: T) => unknown;
}

export function outputFormat(value: string): OutputFormat {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`--output: '${value}' is not one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  return value as OutputFormat;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** A cell: '-' for nothing, lists joined, times to the second, objects as compact JSON. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cell).join(',');
  if (typeof value === 'string') return ISO_TIME.test(value) ? value.replace(/\.\d+Z$/, 'Z') : value.replace(/\s+/g, ' ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Left-aligned columns two spaces apart, as kubectl prints them. */
export function renderTable<T>(items: readonly T[], columns: readonly Column<T>[]): string {
  const rows = [columns.map((column) => column.header), ...items.map((item) => columns.map((column) => cell(column.value(item))))];
  const widths = columns.map((_, index) => Math.max(...rows.map((row) => row[index]?.length ?? 0)));
  return rows.map((row) => row.map((text, index) => (index === row.length - 1 ? text : text.padEnd(widths[index] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}

export function renderData(value: unknown, format: Exclude<OutputFormat, 'table'>): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 0 });
}

/** Items as a table, or the API's own objects as JSON or YAML. */
export function renderItems<T>(items: readonly T[], format: OutputFormat, columns: readonly Column<T>[], single: boolean): string {
  if (format === 'table') return items.length === 0 ? 'No resources found.\n' : renderTable(items, columns);
  return renderData(single ? items[0] : items, format);
}

/** Columns of objects no kind describes (plan steps, describe sections), in the order their keys first appear. */
export function columnsOf(items: readonly Record<string, unknown>[]): Column<Record<string, unknown>>[] {
  const keys = [...new Set(items.flatMap((item) => Object.keys(item)))];
  return keys.map((key) => ({ header: key.replace(/([a-z])([A-Z])/g, '$1-$2').toUpperCase(), value: (item) => item[key] }));
}
