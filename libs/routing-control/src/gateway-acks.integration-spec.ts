import { Topics } from '@strata/contracts';
import { aStackName, eventually } from '@strata/testing';
import { DeadLetters } from '@strata/testing/harness';
import { RoutingControlTestApp, startRoutingControlTestApp } from './test-support/routing-control-test-app';
import { SeededStack, aPolicy, seedStackWithPolicy } from './test-support/routing-fixtures';

interface GatewayStatusBody {
  version: number;
  gateways: { gatewayId: string; status: string; appliedVersion: number | null; rejectedVersion: number | null }[];
}

/**
 * Gateways' ACKs and NACKs (`io.strata.routing.config.applied.v1` / `.rejected.v1`) on real
 * PostgreSQL: a gateway never heard of is recorded (a new gateway's first ACK), an answer to a
 * policy version never published is dead-lettered naming the field, and records nothing.
 */
describe('gateway ACKs and NACKs', () => {
  let sut: RoutingControlTestApp;
  let seeded: SeededStack;
  const deadLetters = new DeadLetters();

  const status = async () => (await sut.http().get(`/v1/stacks/${seeded.stack}/environments/production/routing-policy/status`).expect(200)).body as GatewayStatusBody;
  const handled = (eventId: string) =>
    eventually(async () => expect((await sut.sql.query(`SELECT 1 FROM routing.inbox WHERE consumer_group = 'strata-routing-control.gateway-acks' AND event_id = $1`, [eventId])).rowCount).toBe(1), 10_000, 50);
  const ack = (gatewayId: string, version: number, scope: { stack?: string; environment?: string } = {}) =>
    sut.publish('io.strata.routing.config.applied.v1', 'gateway', { stack: seeded.stack, environment: 'production', ...scope, version, gatewayId });
  const nack = (gatewayId: string, version: number) =>
    sut.publish('io.strata.routing.config.rejected.v1', 'gateway', { stack: seeded.stack, environment: 'production', version, gatewayId, reason: 'bad', violations: [], keptVersion: 1 });

  beforeAll(async () => {
    sut = await startRoutingControlTestApp('gateway-acks');
    await sut.bus.subscribe({
      groupId: 'dead-letter-observer',
      topics: [Topics.deadLetters],
      handler: async (message) => deadLetters.observe(message),
    });
  }, 60_000);

  beforeEach(async () => {
    seeded = await seedStackWithPolicy(sut);
    await sut.http().put(`/v1/stacks/${seeded.stack}/environments/production/routing-policy`).send(aPolicy(seeded, { stickiness: { header: 'x-user' } })).expect(200);
  });

  afterAll(async () => {
    await sut?.close();
  }, 30_000);

  it('records the first ACK of a gateway never heard of, and an ACK of an older version, without dead-lettering either', async () => {
    const first = await ack('gw-new', 2);
    const older = await ack('gw-behind', 1);
    await handled(first.id);
    await handled(older.id);
    expect((await status()).gateways).toEqual([
      expect.objectContaining({ gatewayId: 'gw-behind', status: 'stale', appliedVersion: 1 }),
      expect.objectContaining({ gatewayId: 'gw-new', status: 'in-sync', appliedVersion: 2 }),
    ]);
    expect(deadLetters.includesAny(first.id, older.id)).toBe(false);
  });

  it('dead-letters an ACK or a NACK of a version never published, naming data.version, and records neither', async () => {
    const ahead = await ack('gw-a', 99);
    expect(await deadLetters.reasonOf(ahead.id)).toMatch(
      new RegExp(`^permanent failure handling io\\.strata\\.routing\\.config\\.applied\\.v1 ${ahead.id}: .*data\\.version 99 is not a version of the routing policy of ${seeded.stack}/production \\(the newest is 2\\)`),
    );
    const refused = await nack('gw-b', 7);
    expect(await deadLetters.reasonOf(refused.id)).toContain(`data.version 7 is not a version of the routing policy of ${seeded.stack}/production`);
    // The partition moves on: the gateway's real ACK is recorded, and version 99 never counted as applied.
    await handled((await ack('gw-a', 1)).id);
    expect((await status()).gateways).toEqual([expect.objectContaining({ gatewayId: 'gw-a', status: 'stale', appliedVersion: 1, rejectedVersion: null })]);
  });

  it('dead-letters an ACK for an environment without a policy, or for a stack routing-control does not know, naming the field', async () => {
    const staging = await ack('gw-a', 1, { environment: 'staging' });
    expect(await deadLetters.reasonOf(staging.id)).toContain(`data.environment no routing policy of stack '${seeded.stack}' for environment 'staging' was ever published`);
    const ghost = aStackName('ghost');
    const unknown = await ack('gw-a', 1, { stack: ghost });
    expect(await deadLetters.reasonOf(unknown.id)).toContain(`data.stack '${ghost}' is not a known stack`);
    const { rows } = await sut.sql.query('SELECT stack, environment FROM routing.gateway_status WHERE stack = $1 OR stack = $2', [seeded.stack, ghost]);
    expect(rows).toEqual([]);
  });
});
