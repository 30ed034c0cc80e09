import { Socket, connect } from 'node:net';
import type { Readable } from 'node:stream';
import { Clock } from './clock';
import { Http1ResponseParser, ResponseParserSink } from './http1-response-parser';

/** One request to a backend: origin-form path, the forwarded headers (`[name, value, …]`), the body if any. */
export interface UpstreamRequest {
  method: string;
  path: string;
  headers: readonly string[];
  body: Readable | null;
}

/** Hears one exchange's response, like undici's dispatch handler (whose shape the relay kept). */
export interface UpstreamHandler {
  /** The exchange has a handle to abort it with (a queued request has one before any connection). */
  onConnect(call: UpstreamCall): void;
  /** The final response head; `resume` restarts reading after `onData` returned false. */
  onHeaders(statusCode: number, rawHeaders: string[], resume: () => void): void;
  /** A body chunk, valid during the call only; false pauses reading until `resume`. */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  /** The exchange failed (connect, write, framing, timeout, abort); nothing follows. */
  onError(error: Error): void;
}

/** What a connection needs from the pool that owns it. */
export interface ConnectionOwner {
  readonly clock: Clock;
  /** The connection finished an exchange and may carry another. */
  release(connection: UpstreamConnection): void;
  /** The connection closed; `retry` is a request to send again on another connection. */
  closed(connection: UpstreamConnection, retry: UpstreamCall | undefined): void;
}

/** One request's passage through the pool: queued, then bound to a connection until it ends. */
export class UpstreamCall {
  connection: UpstreamConnection | undefined = undefined;
  done = false;
  /** Sent once more after a reused keep-alive connection closed before any byte of the answer. */
  resent = false;

  constructor(
    readonly request: UpstreamRequest,
    readonly handler: UpstreamHandler,
    private readonly cancel: (call: UpstreamCall) => void,
  ) {}

  abort(error: Error): void {
    if (this.done) return;
    if (this.connection) {
      this.connection.fail(error);
      return;
    }
    this.done = true;
    this.cancel(this);
    this.handler.onError(error);
  }
}

const CHUNKED_END = '0\r\n\r\n';

/**
 * One keep-alive connection to a backend, one exchange at a time (no pipelining: a slow answer
 * never holds up another request behind it). The request is written as one head string (plus the
 * body, streamed with backpressure, chunked when the caller sent no length), the answer parsed by
 * Http1ResponseParser and handed to the exchange's handler. Listeners are bound once per
 * connection, so an exchange allocates no closure.
 */
export class UpstreamConnection implements ResponseParserSink {
  readonly socket: Socket;
  call: UpstreamCall | undefined = undefined;
  /** Monotonic ms: when the current request was sent, or when the connection went idle. */
  since = 0;
  /** Whether it carried an exchange already (a reused connection may have been closed by the backend meanwhile). */
  reused = false;
  private readonly parser = new Http1ResponseParser();
  private bodyPending = false;
  private error: Error | undefined;
  private isClosed = false;
  private readonly resume = (): void => {
    this.socket.resume();
  };

  constructor(
    private readonly owner: ConnectionOwner,
    host: string,
    port: number,
    private readonly authority: string,
  ) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (data: Buffer) => this.onSocketData(data));
    this.socket.on('error', (error: Error) => (this.error = error));
    this.socket.on('close', () => this.onSocketClose());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Busy with a request whose answer has not begun. */
  get awaitingHead(): boolean {
    return this.call !== undefined && !this.parser.received;
  }

  /** Sends `call`'s request on this (idle) connection. */
  start(call: UpstreamCall): void {
    this.call = call;
    call.connection = this;
    this.since = this.owner.clock.monotonic();
    const { method, path, headers, body } = call.request;
    this.parser.expect(this, method === 'HEAD');
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.authority}\r\n`;
    let length = false;
    for (let index = 0; index < headers.length; index += 2) {
      const name = headers[index];
      if (name.length === 14 && name.toLowerCase() === 'content-length') length = true;
      head += `${name}: ${headers[index + 1]}\r\n`;
    }
    if (body === null) {
      this.socket.write(head + '\r\n', 'latin1');
      return;
    }
    this.socket.write(length ? head + '\r\n' : head + 'transfer-encoding: chunked\r\n\r\n', 'latin1');
    this.pumpBody(body, !length);
  }

  /** Ends the current exchange with `error` and closes the connection (its framing is lost). */
  fail(error: Error): void {
    const call = this.call;
    if (!call || call.done) return;
    this.endCall(call);
    this.parser.abandon();
    this.socket.destroy();
    call.handler.onError(error);
  }

  /** Closes an idle connection. */
  close(): void {
    this.socket.destroy();
  }

  onHead(statusCode: number, rawHeaders: string[]): void {
    (this.call as UpstreamCall).handler.onHeaders(statusCode, rawHeaders, this.resume);
  }

  onBody(chunk: Buffer): void {
    if (!(this.call as UpstreamCall).handler.onData(chunk)) {
      this.socket.pause();
    }
  }

  onComplete(reusable: boolean): void {
    const call = this.call as UpstreamCall;
    this.endCall(call);
    if (reusable && !this.bodyPending && !this.isClosed) {
      this.reused = true;
      this.since = this.owner.clock.monotonic();
      this.owner.release(this);
    } else {
      // An answer before the whole request body was sent, or a close announced: not reusable.
      this.socket.destroy();
    }
    call.handler.onComplete();
  }

  private endCall(call: UpstreamCall): void {
    call.done = true;
    call.connection = undefined;
    this.call = undefined;
    this.socket.resume();
  }

  private onSocketData(data: Buffer): void {
    if (!this.call) {
      this.socket.destroy(); // bytes on an idle connection: its framing is in doubt
      return;
    }
    try {
      this.parser.feed(data);
    } catch (error: unknown) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private onSocketClose(): void {
    this.isClosed = true;
    const call = this.call;
    let retry: UpstreamCall | undefined;
    if (call && !call.done) {
      if (this.parser.finish()) {
        // A body framed by the close ended with it (onComplete ran).
      } else if (this.reused && !this.parser.received && call.request.body === null && !call.resent) {
        // The backend closed the idle connection as the request went out: send it once more.
        this.endCall(call);
        call.resent = true;
        retry = call;
      } else {
        this.endCall(call);
        call.handler.onError(this.error ?? new Error('the backend closed the connection before its answer ended'));
      }
    }
    this.owner.closed(this, retry);
  }

  private pumpBody(body: Readable, chunked: boolean): void {
    this.bodyPending = true;
    const call = this.call as UpstreamCall;
    const socket = this.socket;
    const resumeBody = (): void => {
      body.resume();
    };
    const onData = (chunk: Buffer): void => {
      if (call.done && this.call !== call) return;
      let written: boolean;
      if (chunked) {
        socket.cork();
        socket.write(`${chunk.length.toString(16)}\r\n`);
        socket.write(chunk);
        written = socket.write('\r\n');
        socket.uncork();
      } else {
        written = socket.write(chunk);
      }
      if (!written) {
        body.pause();
        socket.once('drain', resumeBody);
      }
    };
    const onEnd = (): void => {
      cleanup();
      this.bodyPending = false;
      if (chunked && !socket.destroyed) socket.write(CHUNKED_END);
    };
    const onAborted = (): void => {
      cleanup();
      if (this.call === call) this.fail(new Error('the caller aborted the request body'));
    };
    const cleanup = (): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onAborted);
      body.off('aborted', onAborted);
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onAborted);
    body.on('aborted', onAborted);
  }
}
