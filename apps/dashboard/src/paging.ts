import type { Page } from './model';

/** What a list shows: its first rows, and whether the rest can be asked for or cannot be shown at all. */
export interface Rows<T> {
  items: T[];
  /** More rows follow that the user may ask for. */
  more: boolean;
  /** An unpaged list answered as many rows as the API gives at once: any later ones cannot be shown. */
  capped: boolean;
}

/** `path` with `limit` (and `after`, for a page past the first) set in its query, whatever query it has already. */
export function pagePath(path: string, limit: number, after: string | null = null): string {
  const mark = path.indexOf('?');
  const parameters = new URLSearchParams(mark < 0 ? '' : path.slice(mark + 1));
  parameters.set('limit', String(limit));
  if (after !== null) parameters.set('after', after);
  return `${mark < 0 ? path : path.slice(0, mark)}?${parameters.toString()}`;
}

/**
 * The first `wanted` rows of a keyset-paged list (Infinity: all of them), in requests of at most
 * `maxLimit` (the API's maximum), each continuing after the previous one's nextCursor.
 */
export async function readPages<T>(readPage: (limit: number, after: string | null) => Promise<Page<T>>, wanted: number, maxLimit: number): Promise<Rows<T>> {
  const items: T[] = [];
  let after: string | null = null;
  do {
    // One after the other: each request needs the cursor the previous one answered.
    const page: Page<T> = await readPage(Math.min(maxLimit, wanted - items.length), after);
    items.push(...page.items);
    // An empty page with a cursor would otherwise ask again forever.
    after = page.items.length === 0 ? null : page.nextCursor;
  } while (after !== null && items.length < wanted);
  return { items, more: after !== null, capped: false };
}

/**
 * The first `wanted` rows of an unpaged list (a plain array, at most `maxLimit` rows). An answer as
 * long as the limit asked may have more behind it: the user may ask for more up to `maxLimit`; at
 * `maxLimit`, the rest cannot be read and the page must say so.
 */
export async function readFirst<T>(read: (limit: number) => Promise<T[]>, wanted: number, maxLimit: number): Promise<Rows<T>> {
  const limit = Math.min(wanted, maxLimit);
  const items = await read(limit);
  const full = items.length >= limit;
  return { items, more: full && limit < maxLimit, capped: full && limit === maxLimit };
}
