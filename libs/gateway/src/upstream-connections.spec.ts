import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { Readable } from 'node:stream';
import { ManualClock } from './gateway.testing';
import { UpstreamCall, UpstreamHandler, UpstreamRequest } from './upstream-connection';
import { UpstreamConnections } from './upstream-connections';

/** Collects one exchange's answer; `done` settles with it or with the error. */
class Collector implements UpstreamHandler {
  status = 0;
  body = '';
  call: UpstreamCall | undefined;
  readonly done: Promise<string>;
  private settle!: (outcome: string) => void;

  constructor() {
    this.done = new Promise((resolve) => (this.settle = resolve));
  }

  onConnect(call: UpstreamCall): void {
    this.call = call;
  }

  onHeaders(statusCode: number): void {
    this.status = statusCode;
  }

  onData(chunk: Buffer): boolean {
    this.body += chunk.toString();
    return true;
  }

  onComplete(): void {
    this.settle(`${this.status} ${this.body}`);
  }

  onError(error: Error): void {
    this.settle(`error: ${error.message}`);
  }
}

const GET: UpstreamRequest = { method: 'GET', path: '/', headers: ['x-a', '1'], body: null };

describe(UpstreamConnections.name, () => {
  let server: Server;
  let sockets: Socket[];
  /** What the backend does with each request head it reads (as text) on a socket. */
  let answer: (head: string, socket: Socket) => void;
  let sut: UpstreamConnections;
  const clock = new ManualClock();

  beforeEach(async () => {
    sockets = [];
    answer = (head, socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${head.length}\r\n\r\n${head}`);
    server = createServer((socket) => {
      sockets.push(socket);
      let text = '';
      socket.on('data', (data) => {
        text += data.toString('latin1');
        let end = text.indexOf('\r\n\r\n');
        while (end !== -1) {
          const head = text.slice(0, end + 4);
          text = text.slice(end + 4);
          answer(head, socket);
          end = text.indexOf('\r\n\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    sut = new UpstreamConnections(`http://127.0.0.1:${port}`, { connections: 2, keepAliveTimeoutMs: 5_000, headersTimeoutMs: 2_000 }, clock);
  });

  afterEach(async () => {
    sut.destroy();
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => server.close(resolve));
  });

  const send = (request: UpstreamRequest = GET): Collector => {
    const collector = new Collector();
    sut.dispatch(request, collector);
    return collector;
  };

  it('writes one request head with the origin as Host and the forwarded headers, and reuses the connection', async () => {
    const first = await send().done;
    const second = await send().done;

    expect(first).toBe(`200 GET / HTTP/1.1\r\nhost: 127.0.0.1:${(server.address() as AddressInfo).port}\r\nx-a: 1\r\n\r\n`);
    expect(second).toBe(first);
    expect(sockets).toHaveLength(1);
  });

  it('opens at most `connections` connections and queues the requests beyond them', async () => {
    const held: Socket[] = [];
    answer = (_head, socket) => held.push(socket);
    const calls = [send(), send(), send()];
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect([sockets.length, held.length]).toEqual([2, 2]);
    answer = (_head, socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    held.forEach((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    expect(await Promise.all(calls.map((call) => call.done))).toEqual(['200 ', '200 ', '200 ']);
  });

  it('sends a bodiless request once more when a reused connection closes before any byte of the answer', async () => {
    await send().done;
    answer = (_head, socket) => {
      answer = (_head, next) => next.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      socket.destroy(); // the backend's idle timeout closed it as the request went out
    };

    expect(await send().done).toBe('200 ok');
    expect(sockets).toHaveLength(2);
  });

  it('streams a request body without length chunked, and one with a Content-Length as it is', async () => {
    const heads: string[] = [];
    answer = (head, socket) => {
      heads.push(head);
      socket.write('HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    };
    const chunked = send({ method: 'POST', path: '/a', headers: [], body: Readable.from([Buffer.from('abc')]) });
    await chunked.done;
    const sized = send({ method: 'POST', path: '/b', headers: ['content-length', '3'], body: Readable.from([Buffer.from('abc')]) });

    expect([await chunked.done, await sized.done]).toEqual(['202 ', '202 ']);
    expect(heads[0]).toContain('transfer-encoding: chunked\r\n');
    expect(heads[1]).not.toContain('transfer-encoding');
  });

  it('fails an exchange aborted by its caller, and one whose answer has not begun within the headers timeout', async () => {
    answer = () => undefined;
    const aborted = send();
    aborted.call?.abort(new Error('the caller closed the connection'));
    const overdue = send();
    await new Promise((resolve) => setTimeout(resolve, 50));
    clock.advance(2_001);

    expect(await aborted.done).toBe('error: the caller closed the connection');
    expect(await overdue.done).toBe('error: the backend sent no answer within 2000 ms');
  });

  it('fails an exchange whose answer cannot be framed, and any sent once the pool is destroyed', async () => {
    answer = (_head, socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n');

    expect(await send().done).toBe('error: invalid Content-Length in the upstream response');
    sut.destroy();
    expect(await send().done).toBe('error: the pool of this backend is closed');
  });
});
