import { Command, InvalidArgumentError } from 'commander';
import { ApiClient } from './api-client';
import { configFilePath, readConfigFile, resolveConnection } from './connection';
import { CliIo } from './io';
import { OutputFormat, outputFormat } from './output';

interface GlobalOptions {
  api?: string;
  token?: string;
  output?: string;
}

/** What an action needs: the API client (flags, environment, config file), the output format, the IO. */
export interface CommandContext {
  io: CliIo;
  client: ApiClient;
  format: OutputFormat;
  print: (text: string) => void;
  /** A note for people, on stderr: it never mixes into JSON or YAML a script reads. */
  note: (text: string) => void;
}

export async function commandContext(command: Command, io: CliIo): Promise<CommandContext> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const format = outputFormat(options.output ?? 'table');
  const connection = resolveConnection({ api: options.api, token: options.token }, io.env, await readConfigFile(configFilePath(io.env)));
  return {
    io,
    client: new ApiClient(connection),
    format,
    print: (text) => io.stdout.write(text),
    note: (text) => io.stderr.write(`${text}\n`),
  };
}

/** Collects a repeatable option's values. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function positiveInteger(name: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) {
      // commander reports it as a usage error naming the option.
      throw new InvalidArgumentError(`${name} must be a positive integer`);
    }
    return parsed;
  };
}
