import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MANIFEST_KINDS } from '@strata/domain';
import { runCaptured } from '../captured-io';
import { UsageError } from '../errors';
import { CliIo } from '../io';
import { pointIntoFiles, readManifest, readManifestWithOrigins, registerApply } from './apply';

describe(readManifest.name, () => {
  let dir: string;
  const io = (stdin = ''): CliIo => ({
    stdout: { write: () => true },
    stderr: { write: () => true },
    stdin: Readable.from([stdin]),
    env: {},
    cwd: dir,
    sleep: async () => undefined,
    now: () => 0,
  });
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-apply-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('joins the documents of every file as one stream, each behind its own ---', async () => {
    await writeFile(join(dir, 'a.yaml'), 'kind: Stack\n---\nkind: Component\n');
    await expect(readManifest(['a.yaml'], io())).resolves.toBe('---\nkind: Stack\n---\nkind: Component\n');
  });

  it('says where each document came from: its file (relative) or stdin, and its place there', async () => {
    await writeFile(join(dir, 'one.yaml'), 'kind: Stack\n---\nkind: Component\n');
    await writeFile(join(dir, 'two.yaml'), '---\nkind: VersionGroup\n');
    const read = await readManifestWithOrigins(['one.yaml', '-', 'two.yaml'], io('kind: Deployment\n'));
    expect(read.origins).toEqual(['one.yaml document 1', 'one.yaml document 2', 'stdin document 1', 'two.yaml document 1']);
  });

  it('names the file, line and column of a YAML error in one complete line', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'kind: Stack\nspec: [unclosed\n');
    const refused = readManifest(['bad.yaml'], io());
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toThrow(new UsageError(`${join(dir, 'bad.yaml')}:3:1: Flow sequence in block collection must be sufficiently indented and end with a ]`));
    await expect(readManifest(['-'], io('kind: Stack\nkind: Component\n'))).rejects.toThrow(new UsageError('stdin:2:1: Map keys must be unique'));
  });

  it.each([5_000, 20_000])('refuses a document %i levels deep as too deep, naming the source, rather than overflowing the stack', async (depth) => {
    await writeFile(join(dir, 'deep.json'), nested(depth));
    const refused = readManifest(['deep.json'], io());
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toThrow(`${join(dir, 'deep.json')}: nests too deeply to read (the API accepts 32 levels)`);
    await expect(readManifest(['-'], io(nested(depth)))).rejects.toThrow('stdin: nests too deeply to read');
  });

  it('leaves a document the parser can read to the API, which names its own depth limit', async () => {
    await writeFile(join(dir, 'forty.json'), nested(40));
    await expect(readManifest(['forty.json'], io())).resolves.toContain('[');
  });
});

describe(registerApply.name, () => {
  const help = async (argv: string[]) => (await runCaptured(argv, { HOME: '/nonexistent' })).stdout.replace(/\s+/g, ' ');

  it('lists every manifest kind in strata --help and strata apply --help', async () => {
    const kinds = `apply manifests (${MANIFEST_KINDS.join(', ')})`;
    expect(MANIFEST_KINDS).toEqual(expect.arrayContaining(['Deployment', 'RollbackTrigger']));
    await expect(help(['--help'])).resolves.toContain(kinds);
    await expect(help(['apply', '--help'])).resolves.toContain(kinds);
  });
});

describe(pointIntoFiles.name, () => {
  const origins = ['a.yaml document 1', 'b.yaml document 1', 'b.yaml document 2'];

  it('says every documents[N] of a problem as its file and document, leaving the rest as it is', () => {
    const problem = { status: 422, detail: 'documents[2] (Component x) is invalid', errors: [{ field: 'documents[2].spec.type', message: 'must be app' }, { field: 'documents[0]', message: 'ok' }], correlationId: 'c' };
    expect(pointIntoFiles(problem, origins)).toEqual({
      status: 422,
      detail: 'b.yaml document 2 (Component x) is invalid',
      errors: [{ field: 'b.yaml document 2, spec.type', message: 'must be app' }, { field: 'a.yaml document 1', message: 'ok' }],
      correlationId: 'c',
    });
  });

  it('leaves values echoed from the manifest, an index it cannot place, and answers that are not objects', () => {
    expect(pointIntoFiles({ detail: 'documents[9] is missing', changes: [{ name: 'documents[1]' }] }, origins)).toEqual({ detail: 'documents[9] is missing', changes: [{ name: 'documents[1]' }] });
    expect(pointIntoFiles('documents[1]', origins)).toBe('documents[1]');
    expect(pointIntoFiles(null, origins)).toBeNull();
    expect(pointIntoFiles(3, origins)).toBe(3);
  });
});
