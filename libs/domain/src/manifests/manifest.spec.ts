import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../errors/domain-error';
import { rollbackTriggerViolations } from '../triggers/trigger-spec';
import { documentLabel, parseManifest } from './manifest';

function violationsOf(text: string): { field: string; message: string }[] {
  try {
    parseManifest(text);
  } catch (error) {
    if (error instanceof DomainError) {
      return [...error.violations];
    }
    throw error;
  }
  throw new Error('expected the manifest to be refused');
}

const stack = `apiVersion: strata.dev/v1
kind: Stack
metadata: { name: checkout }
spec:
  environments: [{ name: production }]
`;

describe(parseManifest.name, () => {
  const sut = parseManifest;

  it('reads every document with its kind, identity and spec', () => {
    const documents = sut(`${stack}---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: checkout-api, version: 2.4.0 }
spec: { config: { replicas: 3 } }
---
apiVersion: strata.dev/v1
kind: VersionGroup
metadata: { name: checkout-1, stack: checkout }
spec: { members: { checkout-api: 2.4.0 } }
`);
    expect(documents).toEqual([
      { kind: 'Stack', index: 0, metadata: { name: 'checkout' }, spec: { environments: [{ name: 'production' }] } },
      { kind: 'ComponentVersion', index: 1, metadata: { component: 'checkout-api', version: '2.4.0' }, spec: { config: { replicas: 3 } } },
      { kind: 'VersionGroup', index: 2, metadata: { name: 'checkout-1', stack: 'checkout' }, spec: { members: { 'checkout-api': '2.4.0' } } },
    ]);
  });

  it('skips empty documents between separators', () => {
    expect(sut(`---\n${stack}---\n---\n`)).toHaveLength(1);
  });

  it('names the document, the field and the rule', () => {
    expect(violationsOf(`${stack}---\napiVersion: strata.dev/v2\nkind: Component\nmetadata: { name: checkout-api }\nspec: []\n`)).toEqual([
      { field: 'documents[1].apiVersion', message: 'must be strata.dev/v1' },
      { field: 'documents[1].metadata.stack', message: 'is required' },
      { field: 'documents[1].spec', message: 'must be a mapping' },
    ]);
  });

  it('refuses fields nothing reads, at the top of a document and in its metadata, naming each', () => {
    const text = 'apiVersion: strata.dev/v1\nkind: Component\nmetadata: { name: checkout-api, stack: checkout, labels: { team: pay }, owner: pay }\nspec: { type: app }\nextra: 1\n';
    expect(violationsOf(text)).toEqual([
      { field: 'documents[0].extra', message: 'is not a field of a manifest document (apiVersion, kind, metadata, spec)' },
      { field: 'documents[0].metadata.labels', message: 'is not read: the metadata of a Component holds name and stack only' },
      { field: 'documents[0].metadata.owner', message: 'is not read: the metadata of a Component holds name and stack only' },
    ]);
  });

  it('refuses unknown kinds', () => {
    expect(violationsOf('apiVersion: strata.dev/v1\nkind: Release\nmetadata: {}\n')).toEqual([
      { field: 'documents[0].kind', message: 'must be one of Stack, Component, ComponentVersion, VersionGroup, Rollout, Deployment, RollbackTrigger' },
    ]);
  });

  it('asks for versions YAML would read as numbers to be quoted', () => {
    expect(violationsOf('apiVersion: strata.dev/v1\nkind: ComponentVersion\nmetadata: { component: a, version: 2.4 }\n')).toEqual([
      { field: 'documents[0].metadata.version', message: 'must be quoted: YAML read it as a number' },
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const [violation] = violationsOf(`${stack}---\nkind: Stack\nmetadata: { name: [unclosed\n`);
    expect(violation).toEqual({ field: 'documents[1]', message: expect.stringMatching(/^invalid YAML at line \d+/) });
  });

  it('refuses duplicate keys', () => {
    expect(violationsOf('apiVersion: strata.dev/v1\nkind: Stack\nkind: Stack\nmetadata: { name: a }\n')[0]?.message).toMatch(/^invalid YAML/);
  });

  it('refuses a document repeated in one manifest', () => {
    expect(violationsOf(`${stack}---\n${stack}`)).toEqual([{ field: 'documents[1] (Stack checkout)', message: 'repeats documents[0] (Stack checkout)' }]);
  });

  it('names a RollbackTrigger by name within its stack and environment: one name in two environments is two triggers', () => {
    const trigger = (environment: string) => `apiVersion: strata.dev/v1\nkind: RollbackTrigger\nmetadata: { name: canary-errors, stack: checkout, environment: ${environment} }\nspec: { when: gateway == nack, action: abort }\n`;
    expect(sut(`${trigger('production')}---\n${trigger('staging')}`).map((document) => document.metadata)).toEqual([
      { name: 'canary-errors', stack: 'checkout', environment: 'production' },
      { name: 'canary-errors', stack: 'checkout', environment: 'staging' },
    ]);
    expect(violationsOf(`${trigger('production')}---\n${trigger('production')}`)).toEqual([
      { field: 'documents[1] (RollbackTrigger canary-errors)', message: 'repeats documents[0] (RollbackTrigger canary-errors)' },
    ]);
    expect(violationsOf('apiVersion: strata.dev/v1\nkind: RollbackTrigger\nmetadata: { name: canary-errors, stack: checkout }\n')).toEqual([{ field: 'documents[0].metadata.environment', message: 'is required' }]);
  });

  it('says a metadata name YAML read as a number or a boolean must be a string, not that it is missing', () => {
    expect(violationsOf('apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: 12345 }\n')).toEqual([
      { field: 'documents[0].metadata.name', message: 'must be a string (quote it if YAML read it as something else), got 12345' },
    ]);
    expect(violationsOf("apiVersion: strata.dev/v1\nkind: Component\nmetadata: { name: web, stack: true }\nspec: { type: app }\n")).toEqual([
      { field: 'documents[0].metadata.stack', message: 'must be a string (quote it if YAML read it as something else), got true' },
    ]);
  });

  it('refuses an empty manifest', () => {
    expect(violationsOf('')).toEqual([{ field: 'documents', message: 'the manifest holds no document' }]);
  });

  it('refuses a document that is not a mapping', () => {
    expect(violationsOf('- a\n- b\n')).toEqual([{ field: 'documents[0]', message: 'must be a mapping with apiVersion, kind, metadata and spec' }]);
  });
});

describe(documentLabel.name, () => {
  it('names component versions by component@version', () => {
    expect(documentLabel({ index: 4, kind: 'ComponentVersion', metadata: { component: 'edge-lb', version: '7.0.0' } })).toBe('documents[4] (ComponentVersion edge-lb@7.0.0)');
  });
});

describe('the checkout example manifest', () => {
  it('parses into every kind it shows', () => {
    const text = readFileSync(join(__dirname, '../../../../test/fixtures/manifests/checkout-stack.yaml'), 'utf8');
    const kinds = parseManifest(text).map((document) => document.kind);
    expect(new Set(kinds)).toEqual(new Set(['Stack', 'Component', 'ComponentVersion', 'VersionGroup', 'Rollout']));
    expect(kinds).toHaveLength(13);
  });

  it("holds rollback triggers beside it, each valid by the rollback service's rules", () => {
    const text = readFileSync(join(__dirname, '../../../../test/fixtures/manifests/checkout-rollback-triggers.yaml'), 'utf8');
    const documents = parseManifest(text);
    expect(documents.map((document) => [document.kind, document.metadata['name']])).toEqual([
      ['RollbackTrigger', 'canary-errors'],
      ['RollbackTrigger', 'no-healthy-node'],
      ['RollbackTrigger', 'anomalies'],
    ]);
    expect(documents.flatMap((document) => rollbackTriggerViolations(document.spec))).toEqual([]);
  });

  describe('hostile YAML', () => {
    const stackNamed = (name: string) => `apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: ${name} }\nspec: { environments: [{ name: production }] }\n`;

    it('refuses an alias bomb (billion laughs) by its alias count', () => {
      const levels = 'bcdefghi'.split('').map((name, index) => `${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[index]}`).join(',')}]`);
      const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...levels].join('\n');
      expect(violationsOf(bomb)).toEqual([{ field: 'documents[0]', message: expect.stringMatching(/^invalid YAML: Excessive alias count/) }]);
    });

    it('refuses an unresolved alias', () => {
      expect(violationsOf(stackNamed('*nowhere'))).toEqual([{ field: 'documents[0]', message: expect.stringMatching(/^invalid YAML.*nowhere/) }]);
    });

    it('refuses deep nesting, flow or block, without overflowing the stack', () => {
      expect(violationsOf(`${'['.repeat(5_000)}${']'.repeat(5_000)}`)[0]?.message).toMatch(/nests deeper than 32 levels/);
      expect(violationsOf(Array.from({ length: 100 }, (_, depth) => `${' '.repeat(depth)}k:`).join('\n'))[0]?.message).toMatch(/nests deeper than 32 levels/);
    });

    it('refuses a manifest over 256 KiB, or of more than 500 documents, before reading it', () => {
      expect(violationsOf(`kind: Stack\nmetadata:\n${Array.from({ length: 150_000 }, (_, index) => `  k${index}: v`).join('\n')}\n`)).toEqual([
        { field: 'manifest', message: 'is larger than 262144 bytes' },
      ]);
      expect(violationsOf(Array(501).fill(stackNamed('x')).join('---\n'))).toEqual([{ field: 'documents', message: 'holds 501 documents; at most 500 are read in one apply' }]);
    });

    it("finds a duplicate key among many (linear: the yaml package's own check is quadratic)", () => {
      const keys = Array.from({ length: 20_000 }, (_, index) => `  k${index}: v`).join('\n');
      expect(violationsOf(`kind: Stack\nmetadata:\n${keys}\n  k7: again\n`)).toEqual([{ field: 'documents[0]', message: expect.stringMatching(/map key 'k7' is given twice/) }]);
    });

    it('refuses NUL and lone surrogates written as YAML escapes, naming the field', () => {
      expect(violationsOf(stackNamed('"che\\0ckout"'))).toEqual([{ field: 'documents[0].metadata.name', message: 'must not contain U+0000 (NUL)' }]);
      expect(violationsOf(stackNamed('"che\\ud800ckout"'))).toEqual([{ field: 'documents[0].metadata.name', message: 'must not contain a lone UTF-16 surrogate' }]);
    });
  });
});
