import { Command, CommanderError, Option } from 'commander';
import { registerApply } from './commands/apply';
import { registerCompletion } from './commands/completion';
import { registerExecutions } from './commands/executions';
import { registerGet } from './commands/get';
import { registerLogin } from './commands/login';
import { registerProposals } from './commands/proposals';
import { registerRollout } from './commands/rollout';
import { SERVING, registerServe } from './commands/serve';
import { CliError, ExitCode } from './errors';
import { CliIo } from './io';
import { OUTPUT_FORMATS } from './output';

export type CliOutcome = ExitCode | typeof SERVING;

/** The `strata` command tree, writing to the given IO and never exiting the process itself. */
export function buildProgram(io: CliIo, onServing: () => void = () => undefined): Command {
  const program = new Command('strata')
    .description('Strata: versions every layer of a service stack, routes by stack version, rolls back across layers')
    .addOption(new Option('--api <url>', 'the management API (default: STRATA_API, the config file, http://127.0.0.1:8080)'))
    .addOption(new Option('--token <token>', 'a bearer token (default: STRATA_TOKEN, the config file)'))
    .addOption(new Option('-o, --output <format>', 'table, json or yaml').choices(OUTPUT_FORMATS).default('table'))
    .showHelpAfterError('(strata --help lists every command)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  registerServe(program, onServing);
  registerApply(program, io);
  registerGet(program, io);
  registerRollout(program, io);
  registerExecutions(program, io);
  registerProposals(program, io);
  registerLogin(program, io);
  registerCompletion(program, io);
  // Every subcommand reports usage errors like the root does, instead of exiting the process.
  const inherit = (command: Command): void => {
    for (const sub of command.commands) {
      sub.exitOverride().configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

/** Runs one command line; the exit code, or SERVING when `up` left the services running. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<CliOutcome> {
  let serving = false;
  const program = buildProgram(io, () => {
    serving = true;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return serving ? SERVING : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end as CommanderErrors too, with exit code 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof CliError) {
      io.stderr.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
