import { ReactNode, createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from './api';
import { LiveChange, LiveStatus, RESYNC_TOPIC, followLiveStream } from './live-stream';

export type { LiveChange, LiveStatus } from './live-stream';

type Listener = (change: LiveChange) => void;

interface Live {
  status: LiveStatus;
  listen(listener: Listener): () => void;
}

const LiveContext = createContext<Live>({ status: 'connecting', listen: () => () => undefined });

/** The live stream of `token` for the pages inside; `onRefused` once the API no longer accepts the token (revoked, expired). */
export function LiveProvider({ token, onRefused, children }: { token: string; onRefused: (error: ApiError) => void; children: ReactNode }) {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const listeners = useRef(new Set<Listener>());
  // The latest callback, without restarting the stream each time the parent renders a new one.
  const refused = useRef(onRefused);
  useEffect(() => {
    refused.current = onRefused;
  }, [onRefused]);
  useEffect(() => {
    const stop = new AbortController();
    void followLiveStream(token, stop.signal, {
      onStatus: setStatus,
      onChange: (change) => listeners.current.forEach((listener) => listener(change)),
      onRefused: (error) => refused.current(error),
    });
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
 * no stack in particular), or comes back after an outage, at most every `throttleMs`: a view puts it in its fetch's dependencies
 * and so re-reads what changed, without a reload.
 */
export function useLiveTick(topics: readonly string[], stack: string | null, throttleMs = 500): number {
  const { listen } = useContext(LiveContext);
  const [tick, setTick] = useState(0);
  const key = topics.join(',');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unlisten = listen((change) => {
      const matches = change.topic === RESYNC_TOPIC || key.split(',').includes(change.topic);
      if (!matches || (stack !== null && change.stack !== null && change.stack !== stack) || timer) return;
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
