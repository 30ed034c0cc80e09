import type { Page } from './model';
import { pagePath, readFirst, readPages } from './paging';

/** A keyset-paged list of `total` numbers, newest (highest) first, recording each request's limit and cursor. */
function pagedList(total: number) {
  const all = Array.from({ length: total }, (_, index) => total - index);
  const requests: [number, string | null][] = [];
  const readPage = async (limit: number, after: string | null): Promise<Page<number>> => {
    requests.push([limit, after]);
    const rest = after === null ? all : all.filter((value) => value < Number(after));
    const items = rest.slice(0, limit);
    return { items, nextCursor: items.length === limit && rest.length > limit ? String(items[items.length - 1]) : null };
  };
  return { readPage, requests };
}

describe(pagePath.name, () => {
  it('adds the limit to a path without a query, and to one with a query', () => {
    expect(pagePath('/v1/stacks', 50)).toBe('/v1/stacks?limit=50');
    expect(pagePath('/v1/executions?stack=shop%20eu', 50)).toBe('/v1/executions?stack=shop+eu&limit=50');
  });

  it('continues after a cursor, replacing a limit the path had', () => {
    expect(pagePath('/v1/audit?action=POST&limit=10', 100, '42:abc')).toBe('/v1/audit?action=POST&limit=100&after=42%3Aabc');
  });
});

describe(readPages.name, () => {
  it('reads the first page alone when it holds the rows wanted, saying more follow', async () => {
    const list = pagedList(120);
    expect(await readPages(list.readPage, 50, 500)).toEqual({ items: Array.from({ length: 50 }, (_, index) => 120 - index), more: true, capped: false });
    expect(list.requests).toEqual([[50, null]]);
  });

  it('reads as many rows as are shown in one request up to the maximum, then follows nextCursor', async () => {
    const list = pagedList(1_200);
    const rows = await readPages(list.readPage, 1_100, 500);
    expect(rows.items).toEqual(Array.from({ length: 1_100 }, (_, index) => 1_200 - index));
    expect(rows.more).toBe(true);
    expect(list.requests).toEqual([
      [500, null],
      [500, '701'],
      [100, '201'],
    ]);
  });

  it('reads a whole list with Infinity, and says nothing follows the last page', async () => {
    const list = pagedList(1_001);
    const rows = await readPages(list.readPage, Infinity, 500);
    expect({ count: rows.items.length, first: rows.items[0], last: rows.items[1_000], more: rows.more }).toEqual({ count: 1_001, first: 1_001, last: 1, more: false });
    expect(list.requests.map(([limit]) => limit)).toEqual([500, 500, 500]);
  });

  it('stops at an empty page even if it carries a cursor', async () => {
    const readPage = jest.fn(async (): Promise<Page<number>> => ({ items: [], nextCursor: 'again' }));
    expect(await readPages(readPage, Infinity, 500)).toEqual({ items: [], more: false, capped: false });
    expect(readPage).toHaveBeenCalledTimes(1);
  });
});

describe(readFirst.name, () => {
  const list = (total: number) => async (limit: number) => Array.from({ length: Math.min(total, limit) }, (_, index) => index);

  it('says more may follow an answer as long as the limit, below the maximum', async () => {
    expect(await readFirst(list(80), 50, 500)).toMatchObject({ more: true, capped: false });
  });

  it('says nothing follows a shorter answer', async () => {
    expect(await readFirst(list(30), 50, 500)).toMatchObject({ more: false, capped: false });
  });

  it('asks for no more than the maximum, and says an answer that long may be cut', async () => {
    const rows = await readFirst(list(700), 550, 500);
    expect({ count: rows.items.length, more: rows.more, capped: rows.capped }).toEqual({ count: 500, more: false, capped: true });
  });
});
