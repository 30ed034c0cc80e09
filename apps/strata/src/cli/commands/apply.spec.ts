import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { UsageError } from '../errors';
import { CliIo } from '../io';
import { readManifest } from './apply';

describe(readManifest.name, () => {
  let dir: string;
  const io = (stdin = ''): CliIo => ({
    stdout: { write: () => true },
    stderr: { write: () => true },
    stdin: Readable.from([stdin]),
    env: {},
    cwd: dir,
    sleep: async () => undefined,
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

  it('names the file and line of a YAML error', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'kind: Stack\nspec: [unclosed\n');
    await expect(readManifest(['bad.yaml'], io())).rejects.toThrow(/bad\.yaml:3: Flow sequence/);
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
