import { createHmac } from 'node:crypto';
import { NotificationEvent } from '../entities/notification.entity';

/** What a notification says, whatever its format. */
export interface NotificationFacts {
  event: NotificationEvent;
  stack: string;
  environment: string;
  /** The execution or rollout it is about. */
  subject: { kind: 'execution' | 'rollout' | 'trigger'; id: string; versionGroup: string };
  /** One line: what happened and why. */
  summary: string;
  at: string;
  details: Record<string, unknown>;
}

const EMOJI: Record<NotificationEvent, string> = {
  'rollout-aborted': ':rotating_light:',
  'execution-started': ':arrow_forward:',
  'execution-succeeded': ':white_check_mark:',
  'execution-failed': ':x:',
  'trigger-fired': ':rewind:',
};

/**
 * The body a channel receives: a Slack incoming-webhook message (`text`, with `blocks` for
 * clients that render them), or the facts as JSON under a CloudEvents-like envelope.
 */
export function notificationBody(format: 'slack' | 'json', facts: NotificationFacts): Record<string, unknown> {
  if (format === 'json') {
    return { type: `io.strata.notification.${facts.event}.v1`, time: facts.at, subject: `${facts.stack}/${facts.environment}`, data: facts };
  }
  const text = `${EMOJI[facts.event]} *${facts.stack}/${facts.environment}*: ${facts.summary}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }, { type: 'context', elements: [{ type: 'mrkdwn', text: `${facts.subject.kind} ${facts.subject.id} · ${facts.at}` }] }] };
}

/**
 * The signature headers of a delivery: HMAC-SHA256 of `<timestamp>.<body>` with the channel's
 * shared secret, as Slack and Stripe sign theirs; the receiver recomputes it and refuses a
 * timestamp too old to be a live delivery.
 */
export function signatureHeaders(secret: string, body: string, timestampSeconds: number): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return { 'x-strata-timestamp': String(timestampSeconds), 'x-strata-signature': `sha256=${signature}` };
}

/** The wait before the next attempt of a delivery that failed `attempts` times: 1 s, 2 s, 4 s, … up to 5 min. */
export function retryDelayMs(attempts: number): number {
  return Math.min(300_000, 1_000 * 2 ** Math.max(0, attempts - 1));
}
