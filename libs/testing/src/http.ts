import request from 'supertest';

/**
 * The admin token every integration test app is started with (as STRATA_ADMIN_TOKEN would give
 * it), so specs call the API as an admin unless they test auth itself.
 */
export const TEST_ADMIN_TOKEN = 'strata_test-admin-token-0123456789abcdefghijklmnop';

export type TestHttp = ReturnType<typeof request.agent>;

/** supertest on an app's server, every request carrying `Authorization: Bearer <token>` unless it sets its own. */
export function authorizedHttp(server: Parameters<typeof request.agent>[0], token: string = TEST_ADMIN_TOKEN): TestHttp {
  return request.agent(server).set('authorization', `Bearer ${token}`);
}

/** One page of a keyset-paged list, as the API answers it. */
export interface ListPage {
  items: { id: string }[];
  nextCursor?: string | null;
}

/**
 * The ids of every item a keyset-paged list answers, following `nextCursor` from the first page
 * (`after` undefined). Stops after `maxPages`, so a cursor that never ends fails the spec's
 * comparison instead of hanging it.
 */
export async function idsPagedThrough(page: (after: string | undefined) => Promise<ListPage>, maxPages = 10): Promise<string[]> {
  const seen: string[] = [];
  let after: string | undefined;
  for (let count = 0; count < maxPages; count += 1) {
    const answer = await page(after);
    seen.push(...answer.items.map((item) => item.id));
    after = answer.nextCursor ?? undefined;
    if (!after) break;
  }
  return seen;
}
