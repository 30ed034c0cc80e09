import { Readable } from 'node:stream';
import { CliIo } from './io';
import { CliOutcome, runCli } from './program';

export interface CapturedRun {
  code: CliOutcome;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process on captured output, as a user would type the line (tests only). */
export async function runCaptured(argv: readonly string[], env: NodeJS.ProcessEnv, options: { stdin?: string; cwd?: string; tty?: boolean } = {}): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text), isTTY: options.tty === true, columns: 200 },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    env,
    cwd: options.cwd ?? process.cwd(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
