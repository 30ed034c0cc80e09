import { appSpecViolations } from './app-spec';

describe(appSpecViolations.name, () => {
  const sut = (spec: unknown) => appSpecViolations(spec, 'spec');

  it('accepts artifact, port and version header', () => {
    expect(sut({ artifact: 'registry.example.com/checkout-api:2.4.0', port: 8080, versionHeader: 'x-app-version' })).toEqual([]);
  });

  it('accepts a spec without version header', () => {
    expect(sut({ artifact: 'checkout-api.jar', port: 1 })).toEqual([]);
  });

  it('requires an object', () => {
    expect(sut(undefined)).toEqual([{ field: 'spec', message: 'must be an object, got undefined' }]);
  });

  it('requires artifact and port', () => {
    expect(sut({})).toEqual([
      { field: 'spec.artifact', message: 'must be a non-blank string, got undefined' },
      { field: 'spec.port', message: 'must be an integer from 1 to 65535, got undefined' },
    ]);
  });

  it.each([0, 65536, 80.5, '8080', -1])('refuses the port %p', (port) => {
    expect(sut({ artifact: 'a', port })).toEqual([{ field: 'spec.port', message: expect.stringContaining('must be an integer from 1 to 65535') }]);
  });

  it('refuses whitespace in the artifact', () => {
    expect(sut({ artifact: 'checkout api:2', port: 80 })).toEqual([{ field: 'spec.artifact', message: 'must not contain whitespace' }]);
  });

  it.each(['x app version', 'x-app:version', '', 7])('refuses the version header %p', (versionHeader) => {
    expect(sut({ artifact: 'a', port: 80, versionHeader })).toEqual([{ field: 'spec.versionHeader', message: expect.stringContaining('must be an HTTP token') }]);
  });

  it('refuses unknown fields', () => {
    expect(sut({ artifact: 'a', port: 80, versonHeader: 'x' })).toEqual([
      { field: 'spec.versonHeader', message: 'is not a known field; expected one of artifact, port, versionHeader' },
    ]);
  });
});
