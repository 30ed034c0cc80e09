import { getJson } from './api';

describe(getJson.name, () => {
  const realFetch = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it('says the API does not answer when the request never reached it, not the browser\'s "Failed to fetch"', async () => {
    globalThis.fetch = (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch;
    await expect(getJson('/v1/stacks', 'strata_x')).rejects.toThrow('the API does not answer (Failed to fetch): this page reads again once the live stream is back');
  });

  it('names the status and the problem detail of an answer that is not 2xx', async () => {
    globalThis.fetch = (() => Promise.resolve(new Response(JSON.stringify({ title: 'Not Found', detail: 'no stack shop' }), { status: 404 }))) as typeof fetch;
    await expect(getJson('/v1/stacks/shop', 'strata_x')).rejects.toThrow('404 Not Found: no stack shop');
  });
});
