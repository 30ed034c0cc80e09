import { useEffect, useState } from 'react';
import { getJson } from './api';
import type { Page } from './model';
import { Rows, pagePath, readFirst, readPages } from './paging';
import type { Loaded } from './use-api';

export interface Listed<T> extends Loaded<T[]> {
  /** More rows follow: loadMore shows them. */
  more: boolean;
  /** The API answers no more than these rows at once, and there may be others: the page says so. */
  capped: boolean;
  /** loadMore's rows are on their way. */
  loading: boolean;
  loadMore: () => void;
}

export interface ListOptions {
  /** Rows shown at first and added by each loadMore; Infinity reads the whole list. */
  step: number;
  /** The most rows the API answers in one request (its DTO's `limit` maximum). */
  maxLimit: number;
  /** Keyset-paged (`{ items, nextCursor }`, `after=`) or a plain array cut at `limit`. */
  paged: boolean;
}

const read = <T>(path: string, rows: number, { maxLimit, paged }: ListOptions): Promise<Rows<T>> =>
  paged ? readPages((limit, after) => getJson<Page<T>>(pagePath(path, limit, after)), rows, maxLimit) : readFirst((limit) => getJson<T[]>(pagePath(path, limit)), rows, maxLimit);

/**
 * The first rows of the list at `path` (nothing while it is null; `path` without limit or cursor),
 * `step` more each time loadMore is called, back to `step` when `path` changes (another stack or filter).
 *
 * A live tick re-reads from the top as many rows as are shown, rather than keep the first page live
 * and the rest as loaded: a row new at the top would push one across a page boundary (shown twice),
 * and a status changing in a later page would stay stale. Rows past the API's maximum are read in
 * several requests, following nextCursor. As with useApi, the rows on screen stay while the next read loads.
 */
export function useList<T>(path: string | null, tick: number, options: ListOptions): Listed<T> {
  const { step, maxLimit, paged } = options;
  const [wanted, setWanted] = useState({ path, rows: step });
  const rows = wanted.path === path ? wanted.rows : step;
  const [state, setState] = useState<{ path: string | null; rows: number; answer?: Rows<T>; error?: string }>({ path: null, rows: 0 });
  useEffect(() => {
    if (path === null) return;
    let current = true;
    read<T>(path, rows, { step, maxLimit, paged }).then(
      (answer) => current && setState({ path, rows, answer }),
      (error: unknown) => current && setState((previous) => ({ path, rows, answer: previous.path === path ? previous.answer : undefined, error: error instanceof Error ? error.message : String(error) })),
    );
    return () => {
      current = false;
    };
  }, [path, tick, rows, step, maxLimit, paged]);
  const shown = state.path === path ? state : undefined;
  return {
    data: shown?.answer?.items,
    error: shown?.error,
    more: shown?.answer?.more ?? false,
    capped: shown?.answer?.capped ?? false,
    loading: shown !== undefined && shown.rows !== rows,
    loadMore: () => setWanted({ path, rows: rows + step }),
  };
}
