/** What a parsed upstream response is told to, in order: one head, body chunks, one end (or an error). */
export interface ResponseParserSink {
  /** The final response head (1xx heads are skipped); `rawHeaders` is `[name, value, …]` as sent. */
  onHead(statusCode: number, rawHeaders: string[]): void;
  /** A slice of the body's bytes (chunked framing removed); valid only during the call. */
  onBody(chunk: Buffer): void;
  /** The body is whole; `reusable` when the connection may carry another request. */
  onComplete(reusable: boolean): void;
}

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

/** Larger response heads are refused, as node's own parser refuses heads over 16 KiB by default. */
const MAX_HEAD_BYTES = 64 * 1024;
const CRLF = 0x0a;

/**
 * A small HTTP/1.1 response parser for the gateway's upstream connections, one response at a
 * time (no pipelining): a status line and headers, then a body framed by Content-Length, chunked
 * transfer coding, or the connection's close (HTTP/1.0 style). The body is handed on as slices of
 * the socket's own buffers, never copied. It throws on anything it cannot frame; the connection
 * is then closed rather than reused. Written for the gateway rather than using node:http's
 * ClientRequest/IncomingMessage, whose per-request objects and stream machinery took a large part
 * of the gateway's CPU per request.
 */
export class Http1ResponseParser {
  private state = State.Done;
  private partial: Buffer | undefined;
  private remaining = 0;
  private noBody = false;
  private keepAlive = true;
  private sink: ResponseParserSink | undefined;
  /** Set when the body ended during `feed`: the sink hears of it once the buffer is processed. */
  private completed: boolean | undefined;
  private abandoned = false;
  /** Whether any byte of the current response has arrived (a stale keep-alive connection closes before). */
  received = false;

  /** Starts a response; `noBody` for a HEAD request, whose response has headers only. */
  expect(sink: ResponseParserSink, noBody: boolean): void {
    this.sink = sink;
    this.noBody = noBody;
    this.state = State.Head;
    this.partial = undefined;
    this.received = false;
    this.keepAlive = true;
    this.completed = undefined;
    this.abandoned = false;
  }

  /** The exchange was aborted: nothing more reaches the sink, not even from the buffer being fed. */
  abandon(): void {
    this.abandoned = true;
    this.state = State.Done;
  }

  get done(): boolean {
    return this.state === State.Done;
  }

  /** The connection closed: completes a body framed by the close, false when the response was cut short. */
  finish(): boolean {
    if (this.state === State.UntilClose) {
      this.state = State.Done;
      (this.sink as ResponseParserSink).onComplete(false);
      return true;
    }
    return this.state === State.Done;
  }

  feed(data: Buffer): void {
    this.received = true;
    let offset = 0;
    while (offset < data.length && !this.abandoned) {
      if (this.state === State.Done) {
        // Bytes after the response: without pipelining, the connection's framing is in doubt.
        this.completed = false;
        break;
      }
      switch (this.state) {
        case State.Head:
          offset = this.head(data, offset);
          break;
        case State.Length:
        case State.ChunkData:
          offset = this.counted(data, offset);
          break;
        case State.ChunkSize:
        case State.ChunkDataEnd:
        case State.Trailers:
          offset = this.chunkLine(data, offset);
          break;
        case State.UntilClose:
          this.body(data, offset, data.length);
          offset = data.length;
          break;
      }
    }
    const completed = this.completed;
    if (completed !== undefined && !this.abandoned) {
      this.completed = undefined;
      (this.sink as ResponseParserSink).onComplete(completed);
    }
  }

  /** Body bytes whose count is known (the Content-Length, or the chunk's size): hands on what `data` has of them. */
  private counted(data: Buffer, offset: number): number {
    const end = Math.min(data.length, offset + this.remaining);
    this.remaining -= end - offset;
    this.body(data, offset, end);
    if (this.remaining === 0) {
      if (this.state === State.Length) this.complete(this.keepAlive);
      else this.state = State.ChunkDataEnd;
    }
    return end;
  }

  private body(data: Buffer, start: number, end: number): void {
    if (end > start) {
      (this.sink as ResponseParserSink).onBody(start === 0 && end === data.length ? data : data.subarray(start, end));
    }
  }

  private complete(reusable: boolean): void {
    this.state = State.Done;
    this.completed = reusable;
  }

  /** One line (without CRLF) of `data` from `offset`, joined with what an earlier buffer left; undefined until its LF arrives. */
  private line(data: Buffer, offset: number): { text: string; next: number } | undefined {
    const lf = data.indexOf(CRLF, offset);
    if (lf === -1) {
      this.keep(data, offset);
      return undefined;
    }
    const bytes = this.partial ? Buffer.concat([this.partial, data.subarray(offset, lf)]) : data.subarray(offset, lf);
    this.partial = undefined;
    const text = bytes.toString('latin1');
    return { text: text.endsWith('\r') ? text.slice(0, -1) : text, next: lf + 1 };
  }

  private keep(data: Buffer, offset: number): void {
    const rest = data.subarray(offset);
    this.partial = this.partial ? Buffer.concat([this.partial, rest]) : Buffer.from(rest);
    if (this.partial.length > MAX_HEAD_BYTES) throw new Error('the upstream response head is too large');
  }

  private chunkLine(data: Buffer, offset: number): number {
    const line = this.line(data, offset);
    if (!line) return data.length;
    if (this.state === State.ChunkDataEnd) {
      if (line.text !== '') throw new Error('a chunk of the upstream response does not end with CRLF');
      this.state = State.ChunkSize;
    } else if (this.state === State.Trailers) {
      if (line.text === '') this.complete(this.keepAlive); // trailers are dropped, as undici's relay dropped them
    } else {
      const size = line.text.split(';', 1)[0].trim();
      if (!/^[0-9a-fA-F]{1,8}$/.test(size)) throw new Error('invalid chunk size in the upstream response');
      this.remaining = parseInt(size, 16);
      this.state = this.remaining === 0 ? State.Trailers : State.ChunkData;
    }
    return line.next;
  }

  private head(data: Buffer, offset: number): number {
    let start = offset;
    let bytes = data;
    if (this.partial) {
      bytes = Buffer.concat([this.partial, data.subarray(offset)]);
      start = 0;
    }
    const end = bytes.indexOf('\r\n\r\n', start, 'latin1');
    if (end === -1) {
      this.partial = undefined;
      this.keep(bytes, start);
      return data.length;
    }
    this.partial = undefined;
    const consumed = end + 4 - start;
    this.parseHead(bytes.toString('latin1', start, end));
    // Bytes of `data` the head used: all of what `partial` held came before `offset`.
    return data.length - (bytes.length - start - consumed);
  }

  private parseHead(text: string): void {
    const statusEnd = text.indexOf('\r\n');
    const statusCode = statusOf(text, statusEnd === -1 ? text.length : statusEnd);
    if (statusCode < 200) {
      if (statusCode === 101) throw new Error('the upstream switched protocols, which the gateway does not relay');
      return; // informational: the final head follows
    }
    let keepAlive = text.charCodeAt(7) === 0x31; // HTTP/1.1 keeps the connection by default, 1.0 does not
    let contentLength = -1;
    let chunked = false;
    const rawHeaders: string[] = [];
    // One pass with indexOf rather than a split and a regex per line: this runs for every answer.
    for (let start = statusEnd + 2; statusEnd !== -1 && start <= text.length; ) {
      let end = text.indexOf('\r\n', start);
      if (end === -1) end = text.length;
      const colon = text.indexOf(':', start);
      if (colon <= start || colon > end) throw new Error('an upstream response header has no name');
      const name = text.slice(start, colon);
      const value = text.slice(colon + 1, end).trim();
      start = end + 2;
      rawHeaders.push(name, value);
      switch (name.length) {
        case 10:
          if (name.toLowerCase() === 'connection') {
            const token = value.toLowerCase();
            if (token.includes('close')) keepAlive = false;
            else if (token.includes('keep-alive')) keepAlive = true;
          }
          break;
        case 14:
          if (name.toLowerCase() === 'content-length') {
            if (!/^\d{1,15}$/.test(value) || (contentLength !== -1 && contentLength !== Number(value))) throw new Error('invalid Content-Length in the upstream response');
            contentLength = Number(value);
          }
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') chunked = value.toLowerCase().endsWith('chunked');
          break;
      }
    }
    this.keepAlive = keepAlive;
    (this.sink as ResponseParserSink).onHead(statusCode, rawHeaders);
    if (this.noBody || statusCode === 204 || statusCode === 304) {
      this.complete(keepAlive);
    } else if (chunked) {
      this.state = State.ChunkSize;
    } else if (contentLength >= 0) {
      this.remaining = contentLength;
      this.state = State.Length;
      if (contentLength === 0) this.complete(keepAlive);
    } else {
      this.keepAlive = false;
      this.state = State.UntilClose;
    }
  }
}

/** The status code of a status line `HTTP/1.x NNN[ reason]` ending at `end`; throws on anything else. */
function statusOf(text: string, end: number): number {
  const digits = text.slice(9, 12);
  const version = text.charCodeAt(7);
  if (!text.startsWith('HTTP/1.') || (version !== 0x30 && version !== 0x31) || text.charCodeAt(8) !== 0x20 || !/^[1-9]\d\d$/.test(digits) || (end > 12 && text.charCodeAt(12) !== 0x20)) {
    throw new Error('the upstream response has no valid status line');
  }
  return Number(digits);
}
