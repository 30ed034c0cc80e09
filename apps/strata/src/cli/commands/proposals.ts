import { Command } from 'commander';
import { apiPath } from '../api-client';
import { commandContext } from '../context';
import { CliIo } from '../io';
import { Item, KINDS } from '../kinds';
import { renderItems } from '../output';

function proposalColumns() {
  const kind = KINDS.find((candidate) => candidate.name === 'proposals');
  if (!kind) {
    throw new Error('the proposals kind is missing from the CLI kinds');
  }
  return kind.columns;
}

/** The body of each move: promote may name the stack and environment to promote into, reject needs its reason. */
const MOVES: ReadonlyArray<{ name: string; description: string; body: (options: Item) => Item | undefined; configure?: (command: Command) => Command }> = [
  { name: 'stage', description: 'stage it: an index on a staging copy of the target, an app version as a dry run of its deploy', body: () => undefined },
  { name: 'validate', description: 'validate it on what staging measured (refused, naming why, when the figures do not hold)', body: () => undefined },
  {
    name: 'promote',
    description: 'promote a validated proposal: a new version and group in the registry, deployed by a forward execution (waits for it)',
    body: (options) => ({ ...(options['stack'] ? { stack: options['stack'] } : {}), ...(options['environment'] ? { environment: options['environment'] } : {}) }),
    configure: (command) => command.option('--stack <stack>', "the stack to promote into (the proposal's by default)").option('-e, --environment <environment>', "the environment to deploy to (the proposal's by default)"),
  },
  {
    name: 'reject',
    description: 'reject it, with the reason kept in its transitions',
    body: (options) => ({ reason: options['reason'] }),
    configure: (command) => command.requiredOption('--reason <text>', 'why'),
  },
];

/** `strata proposal stage|validate|promote|reject <id>`: a proposal's lifecycle (listing is `strata get proposals`). */
export function registerProposals(program: Command, io: CliIo): void {
  const proposal = program.command('proposal').description('move a proposal: stage, validate, promote, reject (list them with `strata get proposals`)');
  for (const move of MOVES) {
    const command = proposal.command(move.name).description(move.description).argument('<id>', 'the proposal id');
    (move.configure ?? ((same: Command) => same))(command).action(async (id: string, options: Item, self: Command) => {
      const context = await commandContext(self, io);
      const moved = (await context.client.request<Item>('POST', apiPath`/v1/proposals/${id}/${move.name}`, { json: move.body(options) })).body;
      context.print(renderItems([moved], context.format, proposalColumns(), true));
    });
  }
}
