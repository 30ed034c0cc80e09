import { execFileSync } from 'node:child_process';

/**
 * Aborts every TCP connection a process holds to a port, as a network fault would (`ss -K`,
 * which needs CAP_NET_ADMIN and a kernel with INET_DIAG_DESTROY). Returns how many it cut.
 */
export function cutConnections(pid: number, remotePort: number): number {
  const listing = execFileSync('ss', ['-tnpH', 'state', 'established', 'dport', `= :${remotePort}`], { encoding: 'utf8' });
  const localPorts = listing
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => /:(\d+)\s+\S+:\d+\s/.exec(line)?.[1])
    .filter((port): port is string => port !== undefined);
  for (const port of localPorts) {
    execFileSync('ss', ['-K', 'dport', `= :${remotePort}`, 'sport', `= :${port}`], { stdio: 'ignore' });
  }
  const remaining = execFileSync('ss', ['-tnpH', 'state', 'established', 'dport', `= :${remotePort}`], { encoding: 'utf8' });
  if (localPorts.some((port) => remaining.includes(`:${port} `))) {
    throw new Error('ss -K did not abort the connections (needs root/CAP_NET_ADMIN and INET_DIAG_DESTROY)');
  }
  return localPorts.length;
}
