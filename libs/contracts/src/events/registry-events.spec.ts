import { stackCreatedV1 } from './registry-events';

describe('registry event names', () => {
  it('holds names to 256 characters: a 900 kB name is refused, not carried into every consumer and log line', () => {
    expect(stackCreatedV1.safeParse({ stack: 'shop', environments: [{ name: 'production' }] }).success).toBe(true);
    const refused = stackCreatedV1.safeParse({ stack: 'x'.repeat(900_000), environments: [{ name: 'e'.repeat(257) }] });
    expect(refused.success ? [] : refused.error.issues.map((issue) => issue.path.join('.'))).toEqual(['stack', 'environments.0.name']);
  });
});
