import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** The stack of the executions e2e spec. */
export const EXECUTIONS_STACK = 'shop';
const STACK = EXECUTIONS_STACK;

/** The stack of the story: a schema, an app, an lb-rule, a network policy and an infra config with HTTP and event actions, in two version groups. */
export const manifest = (actions: string) => `
apiVersion: strata.dev/v1
kind: Stack
metadata: { name: ${STACK} }
spec: { environments: [ { name: production } ] }
---
apiVersion: strata.dev/v1
kind: Component
metadata: { name: shop-db, stack: ${STACK} }
spec: { type: db-schema, target: { databaseUrlFrom: SHOP_DB_URL } }
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: shop-db, version: 1.0.0 }
spec:
  config: { lock_timeout: 2s, statement_timeout: 30s }
  spec: { up: "CREATE TABLE orders (id serial PRIMARY KEY, total integer NOT NULL);", down: "DROP TABLE orders;" }
  rollback: [ { sql: { from: down } } ]
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: shop-db, version: 1.1.0 }
spec:
  spec:
    up: "ALTER TABLE orders ADD COLUMN coupon text; CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_coupon ON orders (coupon);"
    down: "DROP INDEX CONCURRENTLY IF EXISTS orders_coupon; ALTER TABLE orders DROP COLUMN IF EXISTS coupon;"
  rollback: [ { sql: { from: down } } ]
---
apiVersion: strata.dev/v1
kind: Component
metadata: { name: shop-api, stack: ${STACK} }
spec: { type: app }
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: shop-api, version: 2.3.0 }
spec:
  dependencies: [ { component: shop-db, range: ">=1.0.0" } ]
  spec: { artifact: "registry.example.com/shop-api:2.3.0", port: 8080 }
  rollback: [ { routing: { restore: previous } } ]
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: shop-api, version: 2.4.0 }
spec:
  dependencies: [ { component: shop-db, range: ">=1.1.0" } ]
  spec: { artifact: "registry.example.com/shop-api:2.4.0", port: 8080 }
  rollback: [ { routing: { restore: previous } } ]
---
apiVersion: strata.dev/v1
kind: Component
metadata: { name: shop-lb, stack: ${STACK} }
spec: { type: lb-rule }
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: shop-lb, version: 1.0.0 }
spec:
  spec: { routes: [ { match: { pathPrefix: / }, to: shop-api } ] }
  rollback: [ { routing: { restore: previous } } ]
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: shop-lb, version: 2.0.0 }
spec:
  spec: { routes: [ { match: { pathPrefix: /api }, to: shop-api, stickiness: { cookie: shop-affinity } } ] }
  rollback: [ { routing: { restore: previous } } ]
---
apiVersion: strata.dev/v1
kind: Component
metadata: { name: shop-netpol, stack: ${STACK} }
spec: { type: network-policy }
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: shop-netpol, version: 1.0.0 }
spec:
  spec: { allow: [], default: allow }
  rollback: [ { routing: { restore: previous } } ]
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: shop-netpol, version: 2.0.0 }
spec:
  spec: { allow: [ { from: { header: x-caller, values: [ web ] }, to: shop-api } ], default: deny }
  rollback: [ { routing: { restore: previous } } ]
---
apiVersion: strata.dev/v1
kind: Component
metadata: { name: shop-flags, stack: ${STACK} }
spec: { type: infra-config }
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: shop-flags, version: 1.0.0 }
spec:
  spec: { coupons: false }
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: shop-flags, version: 2.0.0 }
spec:
  spec: { coupons: true }
  healthCheck: { url: "${actions}/flags/health", expectStatus: 200, timeout: 2s, interval: 10s }
  rollback:
    - http: { url: "${actions}/flags/undo", method: POST, expectStatus: 204 }
    - event: { type: io.example.flags.pin-previous.v1 }
---
apiVersion: strata.dev/v1
kind: VersionGroup
metadata: { name: shop-1, stack: ${STACK} }
spec: { members: { shop-db: 1.0.0, shop-api: 2.3.0, shop-lb: 1.0.0, shop-netpol: 1.0.0, shop-flags: 1.0.0 } }
---
apiVersion: strata.dev/v1
kind: VersionGroup
metadata: { name: shop-2, stack: ${STACK} }
spec: { members: { shop-db: 1.1.0, shop-api: 2.4.0, shop-lb: 2.0.0, shop-netpol: 2.0.0, shop-flags: 2.0.0 } }
`;

/** The HTTP side of the infra config: its health check and its undo action, each call recorded with its idempotency key. */
export interface Call {
  path: string;
  key: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export async function startActionServer(): Promise<{ url: string; calls: Call[]; close: () => Promise<void> }> {
  const calls: Call[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const key = request.headers['idempotency-key'];
      calls.push({ path: request.url ?? '', key: typeof key === 'string' ? key : undefined, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = request.url === '/flags/undo' ? 204 : 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

