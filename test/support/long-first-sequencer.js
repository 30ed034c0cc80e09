// jest's own order runs the specs it has timings for longest first, and on a fresh clone (no
// timings: CI) falls back to file size, which started the two whole-app mirrored-trial specs
// (their trials wait out KPI windows: 100 s and 60 s) late in the integration tier, so the tier
// ended on them alone. Specs known to be long start first when jest has no timing for them.
const Sequencer = require('@jest/test-sequencer').default;
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
/** Seconds each took in a CI run (2026-12-07); only their order matters. */
const KNOWN_LONG = {
  'apps/strata/src/mirror-trial.integration-spec.ts': 106,
  'apps/strata/src/lb-weights-mirror-trial.integration-spec.ts': 65,
};

class LongFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const hint = (test) => (test.duration == null ? KNOWN_LONG[path.relative(root, test.path)] : undefined);
    const long = sorted.filter((test) => hint(test) !== undefined).sort((a, b) => hint(b) - hint(a));
    return [...long, ...sorted.filter((test) => !long.includes(test))];
  }
}

module.exports = LongFirstSequencer;
