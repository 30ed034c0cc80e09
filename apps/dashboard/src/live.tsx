import { ReactNode, createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { authorization } from './api';
import { ServerSentEventParser } from './sse';

/** What the server's live stream says of one event (apps/strata/src/dashboard/live-change.ts). */
export interface LiveChange {
  topic: string;
  type: string;
  stack: string | null;
  subject: string | null;
  time: string;
}

type Listener = (change: LiveChange) => void;
export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

interface Live {
  status: LiveStatus;
  listen(listener: Listener): () => void;
}

const LiveContext = createContext<Live>({ status: 'connecting', listen: () => () => undefined });

/** Reads /v1/live with the token (fetch, since EventSource sends no Authorization header) and reconnects with backoff. */
async function stream(token: string, signal: AbortSignal, onOpen: () => void, onChange: Listener): Promise<void> {
  const response = await fetch('/v1/live', { headers: { accept: 'text/event-stream', ...authorization(token) }, signal });
  if (!response.ok || !response.body) {
    throw new Error(`live stream answered ${response.status}`);
  }
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

export function LiveProvider({ token, children }: { token: string; children: ReactNode }) {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const listeners = useRef(new Set<Listener>());
  useEffect(() => {
    const stop = new AbortController();
    void (async () => {
      for (let attempt = 0; !stop.signal.aborted; attempt += 1) {
        await stream(token, stop.signal, () => ((attempt = 0), setStatus('live')), (change) => listeners.current.forEach((listener) => listener(change))).catch(() => undefined);
        if (stop.signal.aborted) return;
        setStatus('reconnecting');
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** attempt)));
      }
    })();
    return () => stop.abort();
  }, [token]);
  const listen = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => void listeners.current.delete(listener);
  }, []);
  const live = useMemo<Live>(() => ({ status, listen }), [status, listen]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

export const useLiveStatus = (): LiveStatus => useContext(LiveContext).status;

/**
 * A number that grows when the stream announces a change on one of `topics` for `stack` (or for
 * no stack in particular), at most every `throttleMs`: a view puts it in its fetch's dependencies
 * and so re-reads what changed, without a reload.
 */
export function useLiveTick(topics: readonly string[], stack: string | null, throttleMs = 500): number {
  const { listen } = useContext(LiveContext);
  const [tick, setTick] = useState(0);
  const key = topics.join(',');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unlisten = listen((change) => {
      if (!key.split(',').includes(change.topic) || (stack !== null && change.stack !== null && change.stack !== stack) || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        setTick((value) => value + 1);
      }, throttleMs);
    });
    return () => {
      unlisten();
      clearTimeout(timer);
    };
  }, [listen, key, stack, throttleMs]);
  return tick;
}

/** Every topic the stream carries: a write anywhere may show in the audit. */
export const LIVE_TOPICS_ALL = ['registry.events', 'routing.events', 'rollback.events', 'anomalies', 'forecasts'];
