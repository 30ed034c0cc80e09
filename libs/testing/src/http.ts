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
