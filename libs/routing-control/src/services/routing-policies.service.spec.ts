import { GatewayStatusEntity } from '../entities/routing-policy.entity';
import { gatewaySyncStatus } from './routing-policies.service';

function gateway(appliedVersion: number | null, rejectedVersion: number | null): GatewayStatusEntity {
  return { stack: 's', environment: 'production', gatewayId: 'gw', appliedVersion, rejectedVersion, rejectionReason: null, violations: [], updatedAt: new Date(0) };
}

describe(gatewaySyncStatus.name, () => {
  const sut = gatewaySyncStatus;

  it.each([
    [3, null, 3, 'in-sync'],
    [4, null, 3, 'in-sync'],
    [2, 3, 3, 'rejected'],
    [null, 3, 3, 'rejected'],
    [2, null, 3, 'stale'],
    [2, 2, 3, 'stale'],
    [null, null, 1, 'stale'],
  ] as const)('applied %p, rejected %p, current %p → %s', (applied, rejected, current, expected) => {
    expect(sut(gateway(applied, rejected), current)).toBe(expected);
  });
});
