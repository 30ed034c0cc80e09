/**
 * `npm run fuzz:api`: the full hostile-input run against the embedded Strata (5,000 requests by
 * default). FUZZ_REQUESTS and FUZZ_SEED change the run; FUZZ_API_URL with FUZZ_DATABASE_URL aim it
 * at an app already running instead of starting one. Exits 1 on any 5xx, any 4xx that is not
 * problem+json, any row a refused request changed, any 400/422 not naming a field that can hold
 * no such value, or any accepted write without exactly one audit row.
 */
import { formatSummary, fuzzApi } from './support/api-fuzz';
import { FuzzTarget, adminHeaders, fuzzHeaders, startFuzzTarget } from './support/fuzz-target';

async function main(): Promise<void> {
  const requests = Number(process.env['FUZZ_REQUESTS'] ?? 5_000);
  const seed = Number(process.env['FUZZ_SEED'] ?? 20_261_207);
  const external = process.env['FUZZ_API_URL'];
  const target: FuzzTarget | undefined = external ? undefined : await startFuzzTarget();
  const started = Date.now();
  try {
    const summary = await fuzzApi({
      apiUrl: external ?? (target as FuzzTarget).apiUrl,
      databaseUrl: external ? String(process.env['FUZZ_DATABASE_URL']) : (target as FuzzTarget).databaseUrl,
      requests,
      seed,
      headers: fuzzHeaders,
      writeHeaders: adminHeaders,
    });
    process.stdout.write(`${formatSummary(summary)}\n(${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    const failed = summary.serverErrors.length + summary.notProblemJson.length + summary.rowChanges.length + summary.wrongField.length + summary.unaudited.length > 0;
    if (failed && target) {
      process.stdout.write(`\nlast app output:\n${target.app.log.slice(-4_000)}\n`);
    }
    process.exitCode = failed ? 1 : 0;
  } finally {
    await target?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
