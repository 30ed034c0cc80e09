// Worker-thread entry: trains one LSTM and posts the result (or the error) back. Loaded by
// trainLstmInWorker with the TypeScript register preloaded, so it runs from source like the rest.
import { parentPort, workerData } from 'node:worker_threads';
import { type LstmConfig, trainLstm } from '@strata/analytics';

export interface LstmWorkerRequest {
  readonly train: readonly number[];
  readonly config: Partial<LstmConfig>;
}

function isRequest(value: unknown): value is LstmWorkerRequest {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { train?: unknown; config?: unknown };
  return Array.isArray(candidate.train) && typeof candidate.config === 'object' && candidate.config !== null;
}

const port = parentPort;
if (port !== null && isRequest(workerData)) {
  const request = workerData;
  trainLstm(request.train, request.config).then(
    (result) => port.postMessage({ ok: true, result }),
    (error: unknown) => port.postMessage({ ok: false, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) }),
  );
}
