import { Command } from 'commander';
import { UsageError } from '../errors';
import { CliIo } from '../io';
import { KINDS } from '../kinds';

/** Every command path (`'strata'`, `'strata rollout'`, …) with the words that may follow it: subcommands, options, kinds. */
function completionWords(program: Command): Map<string, string[]> {
  const words = new Map<string, string[]>();
  const walk = (command: Command, path: string, inherited: string[]) => {
    const options = [...inherited, ...command.options.flatMap((option) => [option.short, option.long].filter((flag): flag is string => Boolean(flag)))];
    const subcommands = command.commands.filter((sub) => !(sub as Command & { _hidden?: boolean })._hidden).map((sub) => sub.name());
    const kinds = ['strata get', 'strata describe'].includes(path) ? KINDS.map((kind) => kind.name) : [];
    words.set(path, [...subcommands, ...kinds, ...options, '--help']);
    for (const sub of command.commands) walk(sub, `${path} ${sub.name()}`, path === 'strata' ? options : inherited);
  };
  walk(program, 'strata', []);
  return words;
}

/**
 * A bash completion script from the command tree itself, so it never lags behind the commands:
 * the words after the deepest command typed so far. zsh loads it through bashcompinit.
 */
export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const entries = [...completionWords(program)].map(([path, list]) => `  [${JSON.stringify(path)}]=${JSON.stringify(list.join(' '))}`).join('\n');
  const prelude = shell === 'zsh' ? 'autoload -U +X bashcompinit && bashcompinit\n' : '';
  return `# strata ${shell} completion: eval "$(strata completion ${shell})"
${prelude}declare -gA _strata_words=(
${entries}
)
_strata() {
  local at="strata" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ -n "\${_strata_words["$at $word"]+set}" ]] && at="$at $word"
  done
  COMPREPLY=($(compgen -W "\${_strata_words[$at]}" -- "\${COMP_WORDS[COMP_CWORD]}"))
}
complete -F _strata strata
`;
}

export function registerCompletion(program: Command, io: CliIo): void {
  program
    .command('completion')
    .description('print a shell completion script: eval "$(strata completion bash)" (or zsh)')
    .argument('[shell]', 'bash or zsh', 'bash')
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh') throw new UsageError(`completion: '${shell}' is not bash or zsh`);
      io.stdout.write(completionScript(program, shell));
    });
}
