import { HTTP_TOKEN_SCHEMA, JsonSchema, RESOURCE_NAME_SCHEMA, objectOf } from './json-schema';

/** Limits of a routing policy, enforced by routing-config.ts and stated by the schema below. */
export const ROUTING_LIMITS = {
  stackConfigs: 100,
  nodesPerStackConfig: 1_000,
  rules: 200,
  matchValueLength: 4_096,
  pathLength: 2_048,
  allowRules: 500,
  headerValues: 100,
  headerValueLength: 1_024,
} as const;

const STACK_CONFIG_NAME: JsonSchema = { type: 'string', minLength: 1, maxLength: 200, description: 'A version group of the stack deployed to the environment' };
const PATH: JsonSchema = { type: 'string', minLength: 1, maxLength: ROUTING_LIMITS.pathLength, pattern: '^/[\\x21-\\x7e]*$' };

export const BACKEND_NODE_SCHEMA: JsonSchema = objectOf(
  {
    id: { type: 'string', minLength: 1, maxLength: 255, description: 'Unique across the policy; KPIs and outlier state are kept per node id', example: 'api-1' },
    url: { type: 'string', minLength: 8, maxLength: 2_048, pattern: '^https?://[^/?#\\s]+$', description: 'An http(s) origin, no path', example: 'http://10.0.0.5:8080' },
    version: { type: 'string', minLength: 1, maxLength: 256, description: 'The version the node should run; the gateway flags a node reporting another', example: '2.3.0' },
  },
  ['id', 'url'],
);

export const STACK_CONFIG_ROUTE_SCHEMA: JsonSchema = objectOf(
  {
    name: STACK_CONFIG_NAME,
    weight: { type: 'number', minimum: 0, maximum: 1_000_000, description: 'Relative weight; 0 takes no traffic by weight' },
    nodes: {
      type: 'array',
      maxItems: ROUTING_LIMITS.nodesPerStackConfig,
      items: BACKEND_NODE_SCHEMA,
      description: 'Listed: the nodes are pinned. Omitted or empty: discovered from the registry (nodes of this group\'s version of the policy\'s component)',
    },
  },
  ['name', 'weight'],
);

const MATCH_SCHEMA: JsonSchema = {
  description: 'Exactly one of: a header with a value, a cookie with a value, a path prefix',
  oneOf: [
    objectOf({ header: HTTP_TOKEN_SCHEMA, value: { type: 'string', minLength: 1, maxLength: ROUTING_LIMITS.matchValueLength } }, ['header', 'value']),
    objectOf({ cookie: HTTP_TOKEN_SCHEMA, value: { type: 'string', minLength: 1, maxLength: ROUTING_LIMITS.matchValueLength } }, ['cookie', 'value']),
    objectOf({ pathPrefix: { type: 'string', minLength: 1, maxLength: ROUTING_LIMITS.pathLength, pattern: '^/' } }, ['pathPrefix']),
  ],
};

const NAME_VALUE: JsonSchema = objectOf({ name: HTTP_TOKEN_SCHEMA, value: { type: 'string' } }, ['name', 'value']);

/** One match of an lb-rule route (lb-rule-spec.ts: lbMatchViolations): every criterion given must hold. */
export const LB_MATCH_SCHEMA: JsonSchema = objectOf(
  {
    pathPrefix: { type: 'string', pattern: '^/' },
    path: { type: 'string', pattern: '^/' },
    host: { type: 'string', minLength: 1, pattern: '\\S' },
    method: { type: 'string', enum: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] },
    header: NAME_VALUE,
    cookie: NAME_VALUE,
  },
  [],
  { minProperties: 1 },
);

const PEER_SCHEMA: JsonSchema = {
  description: 'Exactly one of: a header with allowed values, a CIDR block, a component',
  oneOf: [
    objectOf(
      {
        header: HTTP_TOKEN_SCHEMA,
        values: { type: 'array', minItems: 1, maxItems: ROUTING_LIMITS.headerValues, items: { type: 'string', minLength: 1, maxLength: ROUTING_LIMITS.headerValueLength } },
      },
      ['header', 'values'],
    ),
    objectOf({ cidr: { type: 'string', minLength: 9, maxLength: 43, example: '10.0.0.0/8' } }, ['cidr']),
    objectOf({ component: RESOURCE_NAME_SCHEMA }, ['component']),
  ],
};

/** Per-node weights (node-weights.ts: nodeWeightsViolations), as an lb-rule version or a routing policy holds them. */
export const NODE_WEIGHTS_SCHEMA: JsonSchema = {
  type: 'object',
  minProperties: 1,
  maxProperties: 1_000,
  additionalProperties: { type: 'number', minimum: 0, maximum: 1_000_000 },
  description: "Per backend node id (a discovered node's id is its address), its relative share of its stack config's traffic, compiled from the deployed lb-rule; at least one above 0. A node not named takes the mean weight; a config none of whose nodes is named is spread by power of two choices. Absent: no weights",
  example: { '10.0.0.5:8080': 80, '10.0.0.6:8080': 20 },
};

/** The network-policy spec (network-policy-spec.ts), as a component version or a routing policy holds it. */
export const NETWORK_POLICY_SCHEMA: JsonSchema = objectOf(
  {
    allow: { type: 'array', maxItems: ROUTING_LIMITS.allowRules, items: objectOf({ from: PEER_SCHEMA, to: RESOURCE_NAME_SCHEMA }, ['from', 'to']) },
    default: { type: 'string', enum: ['deny', 'allow'], default: 'deny' },
  },
  ['allow'],
);

/** A routing policy as an operator writes it (routing-config.ts: routingPolicyViolations). */
export const ROUTING_POLICY_SCHEMA: JsonSchema = objectOf(
  {
    component: { ...RESOURCE_NAME_SCHEMA, description: 'The component the gateway fronts', example: 'checkout-api' },
    stableConfig: { ...STACK_CONFIG_NAME, description: 'The baseline version group; failed idempotent canary requests retry on it', example: 'checkout-2026.11.2' },
    stackConfigs: { type: 'array', minItems: 1, maxItems: ROUTING_LIMITS.stackConfigs, items: STACK_CONFIG_ROUTE_SCHEMA },
    rules: { type: 'array', maxItems: ROUTING_LIMITS.rules, items: objectOf({ match: MATCH_SCHEMA, stackConfig: STACK_CONFIG_NAME }, ['match', 'stackConfig']), description: 'header, cookie or pathPrefix → version group' },
    stickiness: { description: 'A header or cookie hashed to a stable choice', oneOf: [objectOf({ header: HTTP_TOKEN_SCHEMA }, ['header']), objectOf({ cookie: HTTP_TOKEN_SCHEMA }, ['cookie'])] },
    retryBudget: objectOf({ ratio: { type: 'number', minimum: 0, maximum: 1 }, minRetriesPerSecond: { type: 'number', minimum: 0, maximum: 100_000 } }, ['ratio', 'minRetriesPerSecond'], {
      description: 'Retries allowed per request seen, and always allowed per second',
    }),
    mirror: objectOf(
      {
        stackConfig: STACK_CONFIG_NAME,
        sampleRate: { type: 'number', minimum: 0, maximum: 1 },
        compareBodies: objectOf(
          {
            ignoreFields: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 256 }, description: 'Paths left out: `updatedAt`, `items.*.etag`, `**.requestId`', example: ['**.requestId', 'updatedAt'] },
            maxBytes: { type: 'integer', minimum: 1, maximum: 1_048_576, description: 'Longer bodies (either side) are not compared' },
          },
          ['ignoreFields', 'maxBytes'],
          { description: "Compare each copy's JSON body with production's, counted in gateway_mirror_body_*" },
        ),
        until: { type: 'string', format: 'date-time', maxLength: 40, description: 'routing-control removes the mirror after this instant', example: '2026-12-06T21:05:00Z' },
        nodeWeights: { ...NODE_WEIGHTS_SCHEMA, description: "The copies' own weights over the mirror config's nodes (proposed weights tried on a sample); with them the mirror may target the stable config" },
      },
      ['stackConfig', 'sampleRate'],
      { description: 'A sample of requests copied to a staging config' },
    ),
    networkPolicy: NETWORK_POLICY_SCHEMA,
    routes: { type: 'array', minItems: 1, maxItems: ROUTING_LIMITS.rules, items: LB_MATCH_SCHEMA, description: 'The requests the gateway accepts, compiled from the deployed lb-rule; others get 404. Absent: all' },
    nodeWeights: NODE_WEIGHTS_SCHEMA,
    outlierDetection: objectOf(
      {
        consecutiveFailures: { type: 'integer', minimum: 1, maximum: 1_000 },
        baseEjectionMs: { type: 'integer', minimum: 1, maximum: 3_600_000 },
        maxEjectionMs: { type: 'integer', minimum: 1, maximum: 3_600_000 },
      },
      ['consecutiveFailures', 'baseEjectionMs', 'maxEjectionMs'],
    ),
    healthCheck: objectOf({ path: PATH, intervalMs: { type: 'integer', minimum: 100, maximum: 3_600_000 } }, ['path', 'intervalMs']),
  },
  ['component', 'stableConfig', 'stackConfigs'],
);
