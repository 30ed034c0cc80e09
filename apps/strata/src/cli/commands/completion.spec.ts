import { execFileSync } from 'node:child_process';
import { runCaptured } from '../captured-io';

describe('strata completion', () => {
  /** What bash completes after the words typed, with the generated script loaded. */
  async function complete(script: string, words: string[]): Promise<string[]> {
    const line = ['strata', ...words];
    const program = `${script}\nCOMP_WORDS=(${line.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${line.length - 1}; _strata; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['-c', program], { encoding: 'utf8' }).split('\n').filter(Boolean);
  }

  it('completes commands, subcommands, kinds and options from the command tree', async () => {
    const { code, stdout } = await runCaptured(['completion', 'bash'], {});
    expect(code).toBe(0);
    expect(await complete(stdout, ['ro'])).toEqual(['rollout', 'rollback']);
    expect(await complete(stdout, ['rollout', 'p'])).toEqual(['promote', 'pause']);
    expect(await complete(stdout, ['get', 'ver'])).toEqual(['versions', 'version-map']);
    expect(await complete(stdout, ['--output', 'json', 'apply', '--f'])).toEqual(['--filename']);
    expect(await complete(stdout, ['execution', 'watch', 'e-1', '--int'])).toEqual(['--interval']);
  });

  it('is a usage error for a shell it does not know', async () => {
    expect(await runCaptured(['completion', 'fish'], {})).toEqual({ code: 2, stdout: '', stderr: "error: completion: 'fish' is not bash or zsh\n" });
  });
});
