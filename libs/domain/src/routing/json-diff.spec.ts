import { jsonDifferences } from './json-diff';

describe(jsonDifferences.name, () => {
  const production = { id: 'a1', total: 12.5, updatedAt: '2026-12-06T10:00:00Z', items: [{ sku: 'x', etag: 'e1' }, { sku: 'y', etag: 'e2' }], meta: { requestId: 'r1', page: { requestId: 'r2', size: 2 } } };

  it('finds no difference between equal documents, whatever the key order', () => {
    expect(jsonDifferences(production, JSON.parse(JSON.stringify({ ...production, total: 12.5 })), [])).toEqual([]);
    expect(jsonDifferences({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1.0 }, [])).toEqual([]);
  });

  it('names each differing field by its path: changed, missing, added, and array elements by position', () => {
    const staging = { ...production, total: 13, items: [{ sku: 'x', etag: 'e1' }], extra: true };
    expect(jsonDifferences(production, staging, [])).toEqual(['extra', 'items[1]', 'total']);
    expect(jsonDifferences([1, { a: 'x' }], [1, { a: 'y' }], [])).toEqual(['[1].a']);
    expect(jsonDifferences('a', 'b', [])).toEqual(['(the whole document)']);
  });

  it('ignores listed fields: from the root, with * for one segment and ** for any depth, subtrees included', () => {
    const staging = { ...production, updatedAt: 'later', items: [{ sku: 'x', etag: 'other' }, { sku: 'y', etag: 'other' }], meta: { requestId: 'r9', page: { requestId: 'r8', size: 2 } } };
    expect(jsonDifferences(production, staging, [])).toEqual(['items[0].etag', 'items[1].etag', 'meta.page.requestId', 'meta.requestId', 'updatedAt']);
    expect(jsonDifferences(production, staging, ['updatedAt', 'items.*.etag', '**.requestId'])).toEqual([]);
    expect(jsonDifferences(production, staging, ['updatedAt', 'items[*].etag', 'meta'])).toEqual([]);
    // `requestId` alone is the root's field only: the nested ones still differ.
    expect(jsonDifferences(production, staging, ['updatedAt', 'items.*.etag', 'requestId'])).toEqual(['meta.page.requestId', 'meta.requestId']);
  });

  it('stops at the limit', () => {
    expect(jsonDifferences({ a: 1, b: 1, c: 1 }, { a: 2, b: 2, c: 2 }, [], 2)).toEqual(['a', 'b']);
  });
});
