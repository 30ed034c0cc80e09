import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LstmConfig, LstmTrainingResult } from '@strata/analytics';

/** deploy/node/register.js (the swc TypeScript register), found above this file: the worker runs from source like its parent. */
export function findTypeScriptRegister(from: string = __dirname): string {
  for (let directory = from; ; directory = dirname(directory)) {
    const candidate = join(directory, 'deploy', 'node', 'register.js');
    if (existsSync(candidate)) return candidate;
    if (dirname(directory) === directory) throw new Error(`deploy/node/register.js not found above ${from}`);
  }
}

/**
 * Trains an LSTM in a `worker_threads` worker so the caller's event loop stays free. The worker
 * loads this repository's TypeScript through the same register (`-r deploy/node/register.js`).
 */
export function trainLstmInWorker(train: readonly number[], config: Partial<LstmConfig> = {}): Promise<LstmTrainingResult> {
  const entry = join(__dirname, 'lstm-worker.ts');
  const worker = new Worker(`require(${JSON.stringify(entry)});`, {
    eval: true,
    execArgv: ['-r', findTypeScriptRegister()],
    workerData: { train: [...train], config },
  });
  return new Promise<LstmTrainingResult>((resolve, reject) => {
    let settled = false;
    worker.once('message', (message: { ok: true; result: LstmTrainingResult } | { ok: false; error: string }) => {
      settled = true;
      if (message.ok) resolve(message.result);
      else reject(new Error(`LSTM training failed in worker: ${message.error}`));
      void worker.terminate();
    });
    worker.once('error', (error) => {
      if (!settled) reject(error);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`LSTM worker exited with code ${code} before reporting`));
      settled = true;
    });
  });
}
