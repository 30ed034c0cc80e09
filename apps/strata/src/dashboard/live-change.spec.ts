import { Topics } from '@strata/contracts';
import { toLiveChange } from './live-change';

const envelope = (type: string, data: unknown, subject?: string) =>
  JSON.stringify({ specversion: '1.0', id: 'e-1', source: '/strata/test', type, time: '2026-12-06T10:00:00.000Z', datacontenttype: 'application/json', ...(subject ? { subject } : {}), data });

describe(toLiveChange.name, () => {
  it('names the stack of a domain event and of a KPI window (in its series labels), never the payload', () => {
    const sut = toLiveChange(Topics.routingEvents, Buffer.from(envelope('io.strata.routing.rollout.transitioned.v1', { stack: 'shop', canaryWeight: 20, reason: 'secret-ish' }, 'shop')));
    expect(sut).toEqual({ topic: Topics.routingEvents, type: 'io.strata.routing.rollout.transitioned.v1', stack: 'shop', subject: 'shop', time: '2026-12-06T10:00:00.000Z' });
    expect(toLiveChange(Topics.kpiWindows, envelope('io.strata.kpi.window.v1', { series: { stack: 'cart' } }))).toMatchObject({ stack: 'cart', subject: null });
  });

  it('answers no stack for an event that names none', () => {
    expect(toLiveChange(Topics.registryEvents, envelope('io.strata.registry.token.changed.v1', { tokenId: 't' }))).toMatchObject({ stack: null });
  });

  it('ignores what is no CloudEvent: an empty message, text, an envelope without its fields', () => {
    expect(toLiveChange(Topics.registryEvents, null)).toBeUndefined();
    expect(toLiveChange(Topics.registryEvents, 'not json')).toBeUndefined();
    expect(toLiveChange(Topics.registryEvents, JSON.stringify({ type: 'x' }))).toBeUndefined();
  });
});
