/** One server-sent event: its `event:` name (default `message`) and its `data:` lines joined. */
export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * Parses a text/event-stream as it arrives in chunks (the WHATWG rules the dashboard needs:
 * `event:` and `data:` fields, comments, blank-line dispatch, CRLF or LF). The browser's
 * EventSource cannot send an Authorization header, so the dashboard reads the stream with fetch.
 */
export class ServerSentEventParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];

  push(chunk: string): ServerSentEvent[] {
    this.buffer += chunk;
    const events: ServerSentEvent[] = [];
    for (let end = this.lineEnd(); end >= 0; end = this.lineEnd()) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(this.buffer[end] === '\r' && this.buffer[end + 1] === '\n' ? end + 2 : end + 1);
      const dispatched = this.line(line);
      if (dispatched) {
        events.push(dispatched);
      }
    }
    return events;
  }

  private lineEnd(): number {
    const match = /\r\n|\r|\n/.exec(this.buffer);
    // A lone CR at the end may be the first half of a CRLF still on its way.
    if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) {
      return -1;
    }
    return match.index;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') {
      const event = this.data.length > 0 ? { event: this.event || 'message', data: this.data.join('\n') } : undefined;
      this.event = '';
      this.data = [];
      return event;
    }
    if (line.startsWith(':')) {
      return undefined;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') {
      this.event = value;
    } else if (field === 'data') {
      this.data.push(value);
    }
    return undefined;
  }
}
