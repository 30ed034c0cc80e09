import { canDeploy, HealthStatus } from './can-deploy';
import { DependentVersion } from './dependency-graph';

function version(component: string, semver: string, dependsOn: Record<string, string> = {}): DependentVersion {
  return { component, version: semver, dependencies: Object.entries(dependsOn).map(([name, range]) => ({ component: name, range })) };
}

const api = version('checkout-api', '2.4.0', { 'checkout-db': '>=14.1.0 <15.0.0' });
const db = version('checkout-db', '14.1.0');

function health(entries: Record<string, HealthStatus>): ReadonlyMap<string, HealthStatus> {
  return new Map(Object.entries(entries));
}

describe(canDeploy.name, () => {
  const sut = canDeploy;

  it('answers yes when the group resolves and every member was seen healthy', () => {
    expect(sut({ environment: 'production', members: [api, db], deployed: [], health: health({ 'checkout-api@2.4.0': 'healthy', 'checkout-db@14.1.0': 'healthy' }) })).toEqual({
      answer: 'yes',
      reasons: [],
      missing: [],
      conflicts: [],
    });
  });

  it('asks about members only, not what stays deployed', () => {
    const answer = sut({ environment: 'production', members: [api], deployed: [db], health: health({ 'checkout-api@2.4.0': 'healthy' }) });
    expect(answer.answer).toBe('yes');
  });

  it('answers unknown, naming what is missing, when a member’s health was never seen', () => {
    expect(sut({ environment: 'production', members: [db, api], deployed: [], health: health({}) })).toEqual({
      answer: 'unknown',
      reasons: [],
      missing: ['health of checkout-api@2.4.0 was never seen', 'health of checkout-db@14.1.0 was never seen'],
      conflicts: [],
    });
  });

  it('does not take the health of another version of the component for this one', () => {
    expect(sut({ environment: 'production', members: [db], deployed: [], health: health({ 'checkout-db@14.0.0': 'healthy' }) }).answer).toBe('unknown');
  });

  it.each<HealthStatus>(['unhealthy', 'degraded'])('answers no when a member was last seen %s', (status) => {
    expect(sut({ environment: 'production', members: [api, db], deployed: [], health: health({ 'checkout-api@2.4.0': status, 'checkout-db@14.1.0': 'healthy' }) })).toEqual({
      answer: 'no',
      reasons: [`checkout-api@2.4.0 was last seen ${status}`],
      missing: [],
      conflicts: [],
    });
  });

  it('answers no on a conflict, with its explanation, even if nothing else is known', () => {
    const answer = sut({ environment: 'production', members: [api], deployed: [version('checkout-db', '13.2.0')], health: health({}) });
    expect(answer).toEqual({
      answer: 'no',
      reasons: ['checkout-api@2.4.0 needs checkout-db >=14.1.0 <15.0.0 but checkout-db@13.2.0 stays deployed in production'],
      missing: ['health of checkout-api@2.4.0 was never seen'],
      conflicts: [expect.objectContaining({ kind: 'unsatisfied-range' })],
    });
  });

  it('gives every reason at once', () => {
    const answer = sut({
      environment: 'staging',
      members: [api, version('edge-lb', '7.0.0', { 'checkout-api': '^3.0.0' })],
      deployed: [db],
      health: health({ 'checkout-api@2.4.0': 'unhealthy', 'edge-lb@7.0.0': 'degraded' }),
    });
    expect(answer.answer).toBe('no');
    expect(answer.reasons).toEqual([
      'edge-lb@7.0.0 needs checkout-api ^3.0.0 but the group proposes checkout-api@2.4.0',
      'checkout-api@2.4.0 was last seen unhealthy',
      'edge-lb@7.0.0 was last seen degraded',
    ]);
  });

  it('does not block on conflicts that predate the group', () => {
    const answer = sut({
      environment: 'production',
      members: [db],
      deployed: [version('x', '1.0.0', { missing: '^1.0.0' })],
      health: health({ 'checkout-db@14.1.0': 'healthy' }),
    });
    expect(answer.answer).toBe('yes');
  });

  it('answers no for an empty group', () => {
    expect(sut({ environment: 'production', members: [], deployed: [db], health: health({}) }).answer).toBe('no');
  });
});
