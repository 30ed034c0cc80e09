import { useEffect, useState } from 'react';
import { getJson } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
}

/**
 * GETs `path` (nothing while it is null) and again whenever `tick` changes: a view passes
 * useLiveTick's number, so it re-reads on a live change. The last good answer for the same path
 * stays on screen while the next one loads, so a live update never blanks the page.
 */
export function useApi<T>(path: string | null, tick = 0): Loaded<T> {
  const [state, setState] = useState<Loaded<T> & { path: string | null }>({ path: null, data: undefined, error: undefined });
  useEffect(() => {
    if (path === null) return;
    let current = true;
    getJson<T>(path).then(
      (data) => current && setState({ path, data, error: undefined }),
      (error: unknown) => current && setState((previous) => ({ path, data: previous.path === path ? previous.data : undefined, error: error instanceof Error ? error.message : String(error) })),
    );
    return () => {
      current = false;
    };
  }, [path, tick]);
  return state.path === path ? { data: state.data, error: state.error } : { data: undefined, error: undefined };
}
