// Test instrumentation for the soak (test/chaos/load-soak.chaos-spec.ts), preloaded into a service
// process with NODE_OPTIONS="--expose-gc --require <this file>": on SIGUSR2 it runs a full garbage
// collection and writes the heap still in use to STRATA_GC_PROBE_DIR/<pid>.<n>.json. What a
// process retains is the measure of a leak; heapUsed sampled at random saws with GC timing, and
// a heap snapshot takes half a minute to write on a busy 2-core machine.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const directory = process.env.STRATA_GC_PROBE_DIR;
if (directory && typeof global.gc === 'function') {
  let probes = 0;
  process.on('SIGUSR2', () => {
    global.gc();
    probes += 1;
    writeFileSync(join(directory, `${process.pid}.${probes}.json`), JSON.stringify({ heapUsed: process.memoryUsage().heapUsed }));
  });
}
