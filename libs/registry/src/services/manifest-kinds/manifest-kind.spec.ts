import { MANIFEST_KINDS, ManifestKind } from '@strata/domain';
import { ManifestKindHandler, ManifestKinds } from './manifest-kind';

function handlerOf(kind: ManifestKind): ManifestKindHandler {
  return { kind, order: 0, fieldPrefix: '', scope: () => kind, apply: () => Promise.reject(new Error('not applied in this spec')) };
}

describe(ManifestKinds.name, () => {
  it('finds the handler of each kind', () => {
    const handlers = MANIFEST_KINDS.map(handlerOf);
    const sut = new ManifestKinds(handlers);
    for (const [index, kind] of MANIFEST_KINDS.entries()) {
      expect(sut.of(kind)).toBe(handlers[index]);
    }
  });

  it('refuses to start with a kind of the manifest format left unhandled', () => {
    expect(() => new ManifestKinds(MANIFEST_KINDS.filter((kind) => kind !== 'Rollout').map(handlerOf))).toThrow('no handler for manifest kind(s) Rollout');
  });

  it('refuses two handlers for one kind', () => {
    expect(() => new ManifestKinds([...MANIFEST_KINDS.map(handlerOf), handlerOf('Stack')])).toThrow('two handlers for manifest kind Stack');
  });
});
