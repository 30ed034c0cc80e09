import { ApiError, apiErrorOf, authorization } from './api';
import { ServerSentEventParser } from './sse';

/** What the server's live stream says of one event (apps/strata/src/dashboard/live-change.ts). */
export interface LiveChange {
  topic: string;
  type: string;
  stack: string | null;
  subject: string | null;
  time: string;
}

/** `refused`: the API no longer accepts the token (401), so the stream is not tried again. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'refused';

/**
 * The topic of the change announced when the stream is live again after an outage: the changes
 * sent while it was down are lost (the server keeps none), so every view re-reads what it shows.
 */
export const RESYNC_TOPIC = '*';

export interface LiveStreamHandlers {
  onStatus(status: LiveStatus): void;
  onChange(change: LiveChange): void;
  /** The API answered 401 (the token is unknown, expired or revoked): sign in again. */
  onRefused(error: ApiError): void;
}

export interface LiveStreamOptions {
  fetch?: typeof fetch;
  /** How long to wait before the attempt-th reconnect in a row. */
  delayMs?: (attempt: number) => number;
}

const backoff = (attempt: number) => Math.min(10_000, 500 * 2 ** attempt);

/** Reads /v1/live with the token (fetch, since EventSource sends no Authorization header) until the server ends it. */
async function readStream(token: string, signal: AbortSignal, get: typeof fetch, onOpen: () => void, onChange: (change: LiveChange) => void): Promise<void> {
  const response = await get('/v1/live', { headers: { accept: 'text/event-stream', ...authorization(token) }, signal });
  if (!response.ok) throw await apiErrorOf(response);
  if (!response.body) throw new Error('the live stream answered without a body');
  onOpen();
  const parser = new ServerSentEventParser();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    for (const event of parser.push(value)) {
      if (event.event === 'change') onChange(JSON.parse(event.data) as LiveChange);
    }
  }
}

/**
 * Follows the live stream until `signal` aborts, reconnecting with backoff whenever it ends or
 * fails, except on a 401: the server ends the stream of a token it no longer accepts, and the
 * reconnect is where the dashboard hears why, so it stops there and hands the refusal on.
 */
export async function followLiveStream(token: string, signal: AbortSignal, handlers: LiveStreamHandlers, options: LiveStreamOptions = {}): Promise<void> {
  const get = options.fetch ?? ((input, init) => fetch(input, init));
  const delayMs = options.delayMs ?? backoff;
  let opened = false;
  for (let attempt = 0; !signal.aborted; attempt += 1) {
    const onOpen = () => {
      attempt = 0;
      handlers.onStatus('live');
      if (opened) handlers.onChange({ topic: RESYNC_TOPIC, type: 'resync', stack: null, subject: null, time: new Date().toISOString() });
      opened = true;
    };
    const failure = await readStream(token, signal, get, onOpen, handlers.onChange).then(() => undefined, (error: unknown) => error);
    if (signal.aborted) return;
    if (failure instanceof ApiError && failure.status === 401) {
      handlers.onStatus('refused');
      handlers.onRefused(failure);
      return;
    }
    handlers.onStatus('reconnecting');
    await new Promise((resolve) => setTimeout(resolve, delayMs(attempt)));
  }
}
