/**
 * How long leaving the live stream's group, and deleting it, may take: a broker that is gone must not
 * hold a shutdown up (stopOnSignals exits after 20 s, counting it a failure).
 */
export const LIVE_GROUP_CLEANUP_MS = 10_000;

/** `work`, or a rejection naming `what` once `ms` have passed; the timer never holds the process. */
export async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
