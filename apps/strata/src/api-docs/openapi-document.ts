import { InMemoryEventBus } from '@strata/messaging';
import { HealthRegistry } from '@strata/observability';
import { AddressInfo } from 'node:net';
import { createEmbeddedApi } from '../embedded';

/** Where the committed document lives, relative to the repository root. */
export const OPENAPI_DOCUMENT_PATH = 'apps/strata/docs/openapi.json';

/**
 * The merged OpenAPI 3 document of every service's management API, as the all-in-one process
 * serves it at /docs-json. The app is created but never initialised: the document is built from
 * the controllers' metadata, so no database or broker is needed.
 */
export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const app = await createEmbeddedApi({
    options: { database: { url: 'postgres://nobody@127.0.0.1:1/none', poolSize: 1 }, outbox: { pollIntervalMs: 1_000, retentionHours: 1 } },
    bus: new InMemoryEventBus(1),
    health: new HealthRegistry(),
    adminToken: undefined,
  });
  const server = app.getHttpServer();
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/docs-json`);
    if (!response.ok) {
      throw new Error(`GET /docs-json answered ${response.status}`);
    }
    return (await response.json()) as Record<string, unknown>;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.close();
  }
}
