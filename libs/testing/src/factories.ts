import { randomBytes, randomUUID } from 'node:crypto';
import { StrataEvent } from '@strata/contracts';
import { StackDefinition } from '@strata/domain';

export function aStackName(prefix = 'stack'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function aStackDefinition(overrides: Partial<StackDefinition> = {}): StackDefinition {
  return {
    name: aStackName(),
    environments: [{ name: 'production' }, { name: 'staging', mirrors: 'production' }],
    ...overrides,
  };
}

export function aStackCreatedEvent(stack = aStackName()): StrataEvent<'io.strata.registry.stack.created.v1'> {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: '/strata/test',
    type: 'io.strata.registry.stack.created.v1',
    time: new Date().toISOString(),
    subject: stack,
    datacontenttype: 'application/json',
    data: { stack, environments: [{ name: 'production' }] },
  };
}
