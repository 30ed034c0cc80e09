import { ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Interface, createInterface } from 'node:readline';

const root = join(__dirname, '..', '..');

/** The architecture rules are enforced by lint; these cases prove the rule is live, not skipped. */
describe('module boundaries', () => {
  let linter: ChildProcessWithoutNullStreams;
  let answers: Interface;
  let pending: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;

  beforeAll(() => {
    // The rule reads Nx's project graph; without a cached graph it silently skips itself.
    execFileSync(join(root, 'node_modules/.bin/nx'), ['show', 'projects'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' } });
    linter = spawn(process.execPath, [join(__dirname, 'support/lint-server.js')], { cwd: root });
    answers = createInterface({ input: linter.stdout });
    answers.on('line', (line) => pending?.resolve(line));
    linter.on('exit', (code) => pending?.reject(new Error(`the lint server exited (${code}): ${linter.stderr.read()}`)));
  }, 60_000);

  afterAll(() => {
    answers.close();
    linter.kill();
  });

  /** Lints the source as if it were the given file, with the same config and plugins as `npm run lint`. */
  async function boundaryErrors(file: string, source: string, rule = '@nx/enforce-module-boundaries'): Promise<string[]> {
    const answer = new Promise<string>((resolve, reject) => {
      pending = { resolve, reject };
    });
    linter.stdin.write(`${JSON.stringify({ file, source })}\n`);
    const result = JSON.parse(await answer) as { messages?: { ruleId: string | null; message: string }[]; error?: string };
    if (result.error) {
      throw new Error(result.error);
    }
    return (result.messages ?? []).filter((message) => message.ruleId === rule).map((message) => message.message);
  }

  it('refuses an app importing another app', async () => {
    const errors = await boundaryErrors('apps/gateway/src/probe.ts', "import '../../registry/src/main';\n");
    expect(errors).toEqual([expect.stringMatching(/project/i)]);
  });

  it('refuses a service library importing another service library', async () => {
    const errors = await boundaryErrors('libs/registry/src/probe.ts', "import { RoutingControlModule } from '@strata/routing-control';\nexport const probe = RoutingControlModule;\n");
    expect(errors).toEqual([expect.stringMatching(/"type:service" can only depend on/)]);
  });

  it("refuses an app importing another service's library", async () => {
    const errors = await boundaryErrors('apps/gateway/src/probe.ts', "import { RegistryModule } from '@strata/registry';\nexport const probe = RegistryModule;\n");
    expect(errors).toEqual([expect.stringMatching(/"scope:gateway" can only depend on/)]);
  });

  it('refuses the domain importing anything of the workspace', async () => {
    const errors = await boundaryErrors('libs/domain/src/probe.ts', "import { Topics } from '@strata/contracts';\nexport const probe = Topics;\n");
    expect(errors).toEqual([expect.stringMatching(/type:domain/)]);
  });

  it.each([
    ['pg', "import { Client } from 'pg';\nexport const probe = Client;\n"],
    ['typeorm', "import { DataSource } from 'typeorm';\nexport const probe = DataSource;\n"],
    ['@nestjs/common', "import { Injectable } from '@nestjs/common';\nexport const probe = Injectable;\n"],
  ])('refuses a type:domain library importing %s', async (name, source) => {
    expect(await boundaryErrors('libs/domain/src/probe.ts', source)).toEqual([expect.stringContaining(`not allowed to import "${name}"`)]);
  });

  it('refuses a type:domain library reading files, but not its specs', async () => {
    const source = "import { readFile } from 'node:fs/promises';\nexport const probe = readFile;\n";
    expect(await boundaryErrors('libs/domain/src/probe.ts', source, 'no-restricted-imports')).toEqual([expect.stringContaining('does no I/O')]);
    expect(await boundaryErrors('libs/analytics/src/probe.ts', source, 'no-restricted-imports')).toEqual([expect.stringContaining('does no I/O')]);
    expect(await boundaryErrors('libs/domain/src/probe.spec.ts', source, 'no-restricted-imports')).toEqual([]);
  });

  it('lets the test harness stand on infrastructure, never on a service library', async () => {
    expect(await boundaryErrors('libs/testing/harness/src/probe.ts', "import { BusModule } from '@strata/messaging';\nexport const probe = BusModule;\n")).toEqual([]);
    // A service library whose own specs do not use the harness: with one that does, Nx reports the cycle instead.
    const errors = await boundaryErrors('libs/testing/harness/src/probe.ts', "import { DEFAULT_CONNECTION_LIMITS } from '@strata/gateway';\nexport const probe = DEFAULT_CONNECTION_LIMITS;\n");
    expect(errors).toEqual([expect.stringMatching(/"type:testing" can only depend on/)]);
  });

  it('refuses contracts importing infrastructure', async () => {
    const errors = await boundaryErrors('libs/contracts/src/probe.ts', "import { Logger } from '@strata/observability';\nexport const probe = Logger;\n");
    expect(errors).toEqual([expect.stringMatching(/type:contracts/)]);
  });

  it('allows the launcher to compose every service', async () => {
    const errors = await boundaryErrors('apps/strata/src/probe.ts', "import { RegistryModule } from '@strata/registry';\nexport const probe = RegistryModule;\n");
    expect(errors).toEqual([]);
  });

  it('allows a service library to use shared infrastructure', async () => {
    const errors = await boundaryErrors('libs/registry/src/probe.ts', "import { Logger } from '@strata/observability';\nexport const probe = Logger;\n");
    expect(errors).toEqual([]);
  });
});
