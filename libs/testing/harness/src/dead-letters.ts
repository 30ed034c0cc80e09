import { DeadLetterHeaders, parseStrataEvent } from '@strata/contracts';
import { IncomingMessage } from '@strata/messaging';
import { eventually } from '@strata/testing';

export interface DeadLettered {
  eventId: string | undefined;
  reason: string | undefined;
}

/**
 * What an app dead-letters, as a spec sees it: give `observe` to `observedInMemoryBus` on the DLQ
 * topic, then read `entries` or wait for one event's reason.
 */
export class DeadLetters {
  readonly entries: DeadLettered[] = [];

  readonly observe = (message: IncomingMessage): void => {
    const parsed = parseStrataEvent(message.value);
    this.entries.push({ eventId: parsed.ok ? parsed.event.id : undefined, reason: message.headers[DeadLetterHeaders.reason] });
  };

  /** The reason the event was dead-lettered with, once it has been. */
  reasonOf(eventId: string, timeoutMs = 10_000): Promise<string | undefined> {
    return eventually(
      () => {
        const entry = this.entries.find((candidate) => candidate.eventId === eventId);
        expect(entry).toBeDefined();
        return entry?.reason;
      },
      timeoutMs,
      50,
    );
  }

  /** Whether any of the events was dead-lettered (so far). */
  includesAny(...eventIds: readonly string[]): boolean {
    return this.entries.some((entry) => entry.eventId !== undefined && eventIds.includes(entry.eventId));
  }
}
