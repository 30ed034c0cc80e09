import { DomainError, DomainErrorCode } from '@strata/domain';
import { newEvent } from './new-event';

describe(newEvent.name, () => {
  const type = 'io.strata.registry.stack.created.v1' as const;

  it('builds a CloudEvent from valid data', () => {
    const event = newEvent({ type, service: 'registry', subject: 'checkout', data: { stack: 'checkout', environments: [{ name: 'production' }] } });
    expect(event).toMatchObject({ specversion: '1.0', source: '/strata/registry', type, subject: 'checkout', data: { stack: 'checkout' } });
  });

  it('refuses data the catalog refuses as invalid input naming each field, not as an unexpected error', () => {
    const data = { stack: 'checkout', environments: [{ name: '' }] } as never;
    try {
      newEvent({ type, service: 'registry', subject: 'checkout', data });
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe(DomainErrorCode.InvalidInput);
      expect((error as DomainError).violations).toEqual([{ field: 'event.environments.0.name', message: expect.any(String) }]);
    }
  });
});
