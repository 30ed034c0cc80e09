import { createServer } from 'node:net';

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** The preferred port when it is free, otherwise one the OS picks. */
export async function portOrFree(preferred: number, host: string): Promise<number> {
  if (preferred !== 0 && (await canListen(preferred, host))) {
    return preferred;
  }
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A start that failed because a port is taken, as one line naming the variable that sets it (a
 * stack trace of `listen EADDRINUSE` does not say what to change); null for any other failure.
 * `ports` maps each variable to the port it asked for.
 */
export function portInUseProblem(error: unknown, ports: Readonly<Record<string, number>>): string | null {
  const failure = error as { code?: unknown; port?: unknown; message?: unknown } | null;
  const message = typeof failure?.message === 'string' ? failure.message : '';
  if (failure?.code !== 'EADDRINUSE' && !message.includes('EADDRINUSE')) return null;
  const taken = typeof failure?.port === 'number' ? failure.port : Number(/:(\d+)\s*$/.exec(message)?.[1]);
  const variable = Object.entries(ports).find(([, port]) => port === taken)?.[0];
  const which = variable ? `${variable}=${taken}` : Number.isFinite(taken) ? `port ${taken}` : 'a port';
  return `${which} is already in use (another Strata process, or npm start, may hold it): set ${variable ?? Object.keys(ports).join(' or ')} to a free port`;
}
