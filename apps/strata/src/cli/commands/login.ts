import { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { ApiClient } from '../api-client';
import { configFilePath, readConfigFile, resolveConnection, writeConfigFile } from '../connection';
import { UsageError } from '../errors';
import { CliIo, readAll } from '../io';

interface GlobalOptions {
  api?: string;
  token?: string;
}

/** The token from --token, or typed at a prompt, or piped on stdin (never from argv history when piped). */
async function tokenOf(options: GlobalOptions, io: CliIo): Promise<string> {
  if (options.token) return options.token;
  if (io.stdout.isTTY && (io.stdin as { isTTY?: boolean }).isTTY) {
    const prompt = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream });
    try {
      return (await prompt.question('token: ')).trim();
    } finally {
      prompt.close();
    }
  }
  return (await readAll(io.stdin)).trim();
}

export function registerLogin(program: Command, io: CliIo): void {
  program
    .command('login')
    .description('check a token against the API and keep both in ~/.config/strata/config.yaml (mode 0600)')
    .addHelpText('after', '\nThe token comes from --token, a prompt, or stdin: echo "$TOKEN" | strata login --api https://strata.example.com')
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const path = configFilePath(io.env);
      const saved = await readConfigFile(path);
      // STRATA_API and the saved file are only defaults here: login stores what it checked.
      const { api } = resolveConnection({ api: options.api }, io.env, saved);
      const token = await tokenOf(options, io);
      if (!token) throw new UsageError('login needs a token: --token, a prompt or stdin');
      // Any role may list stacks: a 401 here is the token, not its role.
      await new ApiClient({ api, token }).get('/v1/stacks', { limit: 1 });
      await writeConfigFile(path, { api, token });
      io.stderr.write(`logged in to ${api}; saved to ${path}\n`);
    });
}
