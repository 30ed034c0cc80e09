import { createHmac } from 'node:crypto';
import { NotificationFacts, notificationBody, retryDelayMs, signatureHeaders } from './notification-messages';

const facts: NotificationFacts = {
  event: 'execution-failed',
  stack: 'shop',
  environment: 'production',
  subject: { kind: 'execution', id: 'e-1', versionGroup: 'shop-2' },
  summary: 'deploy of shop-2 failed at step 1 (apply shop-db): lock timeout',
  at: '2026-12-06T09:00:00.000Z',
  details: { executionId: 'e-1' },
};

describe('notification messages', () => {
  it('words a Slack incoming-webhook message with text and blocks', () => {
    const body = notificationBody('slack', facts) as { text: string; blocks: unknown[] };
    expect(body.text).toBe(':x: *shop/production*: deploy of shop-2 failed at step 1 (apply shop-db): lock timeout');
    expect(body.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: body.text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'execution e-1 · 2026-12-06T09:00:00.000Z' }] },
    ]);
  });

  it('sends the facts as JSON under a typed envelope', () => {
    expect(notificationBody('json', facts)).toEqual({ type: 'io.strata.notification.execution-failed.v1', time: facts.at, subject: 'shop/production', data: facts });
  });

  it('signs timestamp and body with the shared secret', () => {
    const headers = signatureHeaders('s3cret', '{"a":1}', 1_765_000_000);
    expect(headers).toEqual({ 'x-strata-timestamp': '1765000000', 'x-strata-signature': `sha256=${createHmac('sha256', 's3cret').update('1765000000.{"a":1}').digest('hex')}` });
    expect(signatureHeaders('other', '{"a":1}', 1_765_000_000)['x-strata-signature']).not.toBe(headers['x-strata-signature']);
  });

  it('backs off 1 s, 2 s, 4 s … up to 5 minutes', () => {
    expect([1, 2, 3, 4, 9, 10, 20].map(retryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000]);
  });
});
