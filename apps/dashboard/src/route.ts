import { useEffect, useState } from 'react';

/** A page and its argument from the location hash (`#/rollouts/<id>`): the pages are static files, so the route lives in the hash. */
export interface Route {
  page: string;
  id: string | null;
}

export function parseRoute(hash: string): Route {
  const [page = 'map', id = null] = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return { page, id };
}

export function useRoute(): Route {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return parseRoute(hash);
}

export const link = (page: string, id?: string): string => `#/${page}${id ? `/${encodeURIComponent(id)}` : ''}`;
