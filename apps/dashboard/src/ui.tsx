import { ReactNode } from 'react';
import type { Listed } from './use-list';

const TONES: Record<string, string> = {
  healthy: 'good', deployed: 'good', promoted: 'good', succeeded: 'good', passed: 'good', live: 'good',
  progressing: 'busy', deploying: 'busy', running: 'busy', pending: 'busy', paused: 'warn', held: 'warn', unknown: 'warn', connecting: 'warn', reconnecting: 'warn', refused: 'bad',
  unhealthy: 'bad', aborted: 'bad', 'rolled-back': 'bad', failed: 'bad', abandoned: 'bad',
  // Anomaly severities.
  low: 'plain', medium: 'warn', high: 'bad', critical: 'bad',
  // Trigger firings.
  done: 'bad', 'backward-pending': 'busy', 'backward-started': 'busy', recorded: 'plain',
  // Proposals.
  proposed: 'plain', staged: 'busy', validated: 'good', rejected: 'bad',
};

/** A state as a coloured badge; the word itself stays readable without the colour. */
export function Badge({ value }: { value: string | null | undefined }) {
  const text = value ?? '-';
  return <span className={`badge ${TONES[text] ?? 'plain'}`}>{text}</span>;
}

/** Canary against stable traffic, in percent. */
export function WeightBar({ canary }: { canary: number }) {
  return (
    <div className="weight" title={`canary ${canary} %, stable ${100 - canary} %`} data-testid="canary-weight" data-weight={canary}>
      <div className="canary" style={{ width: `${canary}%` }} />
      <span>
        canary {canary} % · stable {100 - canary} %
      </span>
    </div>
  );
}

/** A figure to four significant digits: enough to read, not a float's noise. */
export const figure = (value: number | null | undefined): string => (value === null || value === undefined ? '?' : String(Number(value.toPrecision(4))));

export const time = (value: string | null | undefined): string => (value ? new Date(value).toLocaleTimeString(undefined, { hour12: false }) : '-');

export function Problem({ error }: { error: string | undefined }) {
  return error ? <p className="problem">{error}</p> : null;
}

export function Section({ title, children, testId }: { title: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <section className="card" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A table's header row from its column names. */
export function Head({ columns }: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th key={column}>{column}</th>
        ))}
      </tr>
    </thead>
  );
}

/**
 * The end of a list: while rows follow, how many are shown and a button for the next ones; for a
 * list the API cuts at its maximum, that these are only the first rows. Nothing once all are shown.
 */
export function More({ list, noun }: { list: Listed<unknown>; noun: string }) {
  const count = list.data?.length ?? 0;
  if (list.capped) {
    return (
      <p className="hint" data-testid="list-capped">
        Showing the first {count} {noun}: the most the API answers at once; older ones are not listed here.
      </p>
    );
  }
  if (!list.more) return null;
  return (
    <p className="more hint">
      Showing the first {count} {noun}.{' '}
      <button onClick={list.loadMore} disabled={list.loading} data-testid="load-more">
        {list.loading ? 'Loading…' : 'Load more'}
      </button>
    </p>
  );
}
