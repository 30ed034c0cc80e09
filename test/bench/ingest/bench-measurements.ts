// What bench:ingest measures with: CPU seconds per process, the psql ceiling, the bus producer process.
import { ChildProcess, ChildProcessWithoutNullStreams, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/** utime + stime of a live process, seconds; 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/**
 * CPU of the backends connected to the bench database (the service's pool and the bench's own
 * client; their connections stay open through a measurement). Only these: the PostgreSQL server
 * is shared with other work on the machine, whose CPU must not count for or against the service.
 */
async function backendsCpuSeconds(sql: Client, database: string): Promise<Map<number, number>> {
  const { rows } = await sql.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [database]);
  return new Map(rows.map((row) => [row.pid, processCpuSeconds(row.pid)]));
}

export interface Measurement {
  samples: number;
  seconds: number;
  cpuSeconds: number;
  /** Of cpuSeconds, the PostgreSQL backends' part. */
  serverCpuSeconds: number;
}

/** `clientPid`: a client process of the service's whose CPU counts too (the bus producer). */
export async function measureService(sql: Client, database: string, samples: number, work: () => Promise<void>, clientPid?: number): Promise<Measurement> {
  const backendsBefore = await backendsCpuSeconds(sql, database);
  const clientCpu = () => (clientPid === undefined ? 0 : processCpuSeconds(clientPid));
  const ownBefore = ownCpuSeconds() + clientCpu();
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const own = ownCpuSeconds() + clientCpu() - ownBefore;
  let backends = 0;
  for (const [pid, after] of await backendsCpuSeconds(sql, database)) {
    backends += after - (backendsBefore.get(pid) ?? 0);
  }
  return { samples, seconds, cpuSeconds: own + backends, serverCpuSeconds: backends };
}

/** A psql session driven line by line, so its backend's CPU can be read before it exits. */
class PsqlSession {
  private output = '';
  private readonly waiters: Array<() => void> = [];
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(url: string) {
    this.child = spawn('psql', [url, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Runs the lines, then waits for the marker they echo last. */
  async run(lines: string, marker: string): Promise<string> {
    this.output = '';
    this.child.stdin.write(`${lines}\n\\echo ${marker}\n`);
    while (!this.output.includes(`${marker}\n`)) {
      if (this.child.exitCode !== null) throw new Error(`psql exited with ${this.child.exitCode}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.output.slice(0, this.output.indexOf(marker)).trim();
  }

  async close(): Promise<void> {
    this.child.stdin.end('\\q\n');
    await new Promise((resolve) => this.child.once('exit', resolve));
  }
}

export async function measureCeiling(url: string, file: string, samples: number): Promise<Measurement> {
  const psql = new PsqlSession(url);
  try {
    const backend = Number(await psql.run('SELECT pg_backend_pid();', 'ready'));
    await psql.run('TRUNCATE bench.samples;', 'truncated');
    const serverBefore = processCpuSeconds(backend);
    const clientBefore = processCpuSeconds(psql.pid);
    const started = process.hrtime.bigint();
    await psql.run(`\\copy bench.samples (series_id, time, value) FROM '${file}'`, 'copied');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const server = processCpuSeconds(backend) - serverBefore;
    return { samples, seconds, cpuSeconds: server + processCpuSeconds(psql.pid) - clientBefore, serverCpuSeconds: server };
  } finally {
    await psql.close();
  }
}

/** The kpi.samples producer process (bus-producer.ts), answering each command over IPC. */
export class BusProducer {
  private readonly child: ChildProcess;
  private readonly answers: string[] = [];
  private readonly waiters: Array<() => void> = [];

  constructor(brokers: readonly string[], topicPrefix: string, partitions: number) {
    this.child = fork(join(__dirname, 'bus-producer.ts'), [brokers.join(','), topicPrefix, String(partitions)], {
      execArgv: ['--enable-source-maps', '-r', join(__dirname, '../../../deploy/node/register.js')],
    });
    this.child.on('message', (answer: string) => {
      this.answers.push(answer);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.on('exit', () => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  async answer(expected: string): Promise<void> {
    while (this.answers.length === 0) {
      if (this.child.exitCode !== null) throw new Error(`the bus producer exited with ${this.child.exitCode}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const answer = this.answers.shift();
    if (answer !== expected) throw new Error(`the bus producer answered ${answer}, expected ${expected}`);
  }

  async send(command: object, expected: string): Promise<void> {
    this.child.send(command);
    await this.answer(expected);
  }

  close(): void {
    this.child.disconnect();
  }
}
