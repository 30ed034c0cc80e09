import { DomainError, DomainErrorCode, DomainViolation } from '../errors/domain-error';
import { BUILT_IN_COMPONENT_TYPES, ComponentTypeDefinition, ComponentTypeRegistry, createComponentTypeRegistry } from './component-types';

const featureFlag: ComponentTypeDefinition = {
  name: 'feature-flag',
  description: 'a feature flag set',
  specViolations: (spec, field): DomainViolation[] => (typeof spec === 'object' && spec !== null && 'flags' in spec ? [] : [{ field: `${field}.flags`, message: 'is required' }]),
};

describe(ComponentTypeRegistry.name, () => {
  it('holds the six built-in types', () => {
    const sut = createComponentTypeRegistry();
    expect(sut.names()).toEqual(['api-contract', 'app', 'db-schema', 'infra-config', 'lb-rule', 'network-policy']);
    expect(BUILT_IN_COMPONENT_TYPES.map((type) => type.name).sort()).toEqual(sut.names());
  });

  it('adds a type with one register call, validator included', () => {
    const sut = createComponentTypeRegistry().register(featureFlag);
    expect(sut.has('feature-flag')).toBe(true);
    expect(sut.get('feature-flag')).toBe(featureFlag);
    expect(sut.specViolations('feature-flag', {})).toEqual([{ field: 'spec.flags', message: 'is required' }]);
    expect(sut.specViolations('feature-flag', { flags: {} })).toEqual([]);
  });

  it('accepts extra types at creation', () => {
    expect(createComponentTypeRegistry([featureFlag]).names()).toContain('feature-flag');
  });

  it('keeps registries apart, so one plugin does not leak into another registry', () => {
    createComponentTypeRegistry().register(featureFlag);
    expect(createComponentTypeRegistry().has('feature-flag')).toBe(false);
  });

  it('starts empty when built without definitions', () => {
    expect(new ComponentTypeRegistry().names()).toEqual([]);
  });

  it('refuses a type registered twice', () => {
    const sut = createComponentTypeRegistry();
    expect(() => sut.register({ ...featureFlag, name: 'app' })).toThrow(expect.objectContaining({ code: DomainErrorCode.AlreadyExists }) as DomainError);
  });

  it('refuses a type name that is not a resource name', () => {
    const sut = createComponentTypeRegistry();
    let caught: unknown;
    try {
      sut.register({ ...featureFlag, name: 'Feature Flag' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).code).toBe(DomainErrorCode.InvalidInput);
    expect((caught as DomainError).violations).toEqual([{ field: 'name', message: expect.stringContaining('lowercase') }]);
  });

  it('names the known types when asked about an unknown one', () => {
    const sut = createComponentTypeRegistry();
    expect(sut.specViolations('queue', {})).toEqual([
      { field: 'type', message: "'queue' is not a registered component type; known types: api-contract, app, db-schema, infra-config, lb-rule, network-policy" },
    ]);
  });

  it('prefixes spec violations with the given field', () => {
    const sut = createComponentTypeRegistry();
    expect(sut.specViolations('app', { artifact: 'a', port: 0 }, 'documents[1].spec.spec')).toEqual([
      { field: 'documents[1].spec.spec.port', message: 'must be an integer from 1 to 65535, got number 0' },
    ]);
  });
});
