import { Http1ResponseParser, ResponseParserSink } from './http1-response-parser';

/** What the sink heard, in order. */
class Recorder implements ResponseParserSink {
  status = 0;
  headers: string[] = [];
  body = '';
  completions: boolean[] = [];

  onHead(statusCode: number, rawHeaders: string[]): void {
    this.status = statusCode;
    this.headers = rawHeaders;
  }

  onBody(chunk: Buffer): void {
    this.body += chunk.toString('latin1');
  }

  onComplete(reusable: boolean): void {
    this.completions.push(reusable);
  }
}

/** Feeds `text` to a fresh parser in pieces of `size` bytes (1: every byte on its own). */
function parse(text: string, size = text.length, noBody = false): Recorder {
  const sink = new Recorder();
  const sut = new Http1ResponseParser();
  sut.expect(sink, noBody);
  const bytes = Buffer.from(text, 'latin1');
  for (let offset = 0; offset < bytes.length; offset += size) {
    sut.feed(bytes.subarray(offset, offset + size));
  }
  return sink;
}

const LENGTH = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-Two: a\r\nX-Two: b\r\n\r\nhello';
const CHUNKED = 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n';

describe(Http1ResponseParser.name, () => {
  it.each([LENGTH.length, 7, 1])('frames a Content-Length body fed in pieces of %i bytes, keeping headers as sent', (size) => {
    const sink = parse(LENGTH, size);

    expect([sink.status, sink.headers, sink.body, sink.completions]).toEqual([200, ['Content-Type', 'text/plain', 'Content-Length', '5', 'X-Two', 'a', 'X-Two', 'b'], 'hello', [true]]);
  });

  it.each([CHUNKED.length, 3, 1])('removes chunked framing (extensions and trailers dropped) fed in pieces of %i bytes', (size) => {
    const sink = parse(CHUNKED, size);

    expect([sink.status, sink.body, sink.completions]).toEqual([201, 'hello, world', [true]]);
  });

  it('skips informational heads and reads the final one', () => {
    const sink = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 4);

    expect([sink.status, sink.body, sink.completions]).toEqual([200, 'ok', [true]]);
  });

  it('reads no body after a HEAD request, a 204 or a 304, whatever Content-Length says', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n', undefined, true).completions).toEqual([true]);
    expect(parse('HTTP/1.1 204 No Content\r\n\r\n').completions).toEqual([true]);
    expect(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n').completions).toEqual([true]);
  });

  it('does not reuse a connection the backend closes (Connection: close, HTTP/1.0) or that sent bytes after the answer', () => {
    expect(parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').completions).toEqual([false]);
    expect(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').completions).toEqual([false]);
    expect(parse('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n').completions).toEqual([true]);
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1').completions).toEqual([false]);
  });

  it('reads a body without length until the connection closes', () => {
    const sink = new Recorder();
    const sut = new Http1ResponseParser();
    sut.expect(sink, false);
    sut.feed(Buffer.from('HTTP/1.1 200 OK\r\n\r\nuntil '));
    sut.feed(Buffer.from('close'));

    expect(sink.completions).toEqual([]);
    expect(sut.finish()).toBe(true);
    expect([sink.body, sink.completions]).toEqual(['until close', [false]]);
  });

  it('reports a body cut short by the close as unfinished', () => {
    const sut = new Http1ResponseParser();
    sut.expect(new Recorder(), false);
    sut.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort'));

    expect(sut.finish()).toBe(false);
  });

  it.each([
    ['no status line', 'HTP/1.1 200 OK\r\n\r\n'],
    ['a header without a name', 'HTTP/1.1 200 OK\r\n: x\r\n\r\n'],
    ['an invalid Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n'],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'],
    ['an invalid chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['a chunk without its CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n'],
    ['a protocol switch', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'],
  ])('throws on %s (the connection is then closed)', (_name, text) => {
    expect(() => parse(text)).toThrow();
  });

  it('throws on a head larger than 64 KiB before its end arrives', () => {
    const sut = new Http1ResponseParser();
    sut.expect(new Recorder(), false);
    const line = Buffer.from(`X-Big: ${'x'.repeat(1_000)}\r\n`);
    sut.feed(Buffer.from('HTTP/1.1 200 OK\r\n'));

    expect(() => {
      for (let index = 0; index < 70; index++) sut.feed(line);
    }).toThrow(/too large/);
  });

  it('hands nothing more to the sink once abandoned, even from the buffer being fed', () => {
    const sut = new Http1ResponseParser();
    const sink = new Recorder();
    sink.onHead = () => sut.abandon();
    sut.expect(sink, false);
    sut.feed(Buffer.from(LENGTH));

    expect([sink.body, sink.completions]).toEqual(['', []]);
  });
});
