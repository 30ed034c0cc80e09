/**
 * The V8 flags every Strata service runs with (why: deploy/docker/Dockerfile, above its CMD). The
 * image's CMD and the `start` scripts of package.json spell them too, checked against this list
 * by test/architecture/service-node-flags.spec.ts; test and bench processes take them from here.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
