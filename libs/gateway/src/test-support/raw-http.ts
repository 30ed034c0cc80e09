import { IncomingMessage, request as httpRequest } from 'node:http';
import { Socket, connect } from 'node:net';
import { performance } from 'node:perf_hooks';

/*
 * Clients over raw sockets, as a hostile or careless client meets the gateway's edge: a request
 * sent byte for byte, a slowloris, a fresh connection per request.
 */

/** An answer read off a raw socket the gateway closed after it. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function parseRaw(text: string): RawAnswer {
  const end = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, end === -1 ? text.length : end).split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: end === -1 ? '' : text.slice(end + 4) };
}

/** Sends `bytes` as they are and reads until the gateway closes the connection. */
export function rawExchange(port: number, bytes: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the gateway did not close the connection; it sent: ${JSON.stringify(received)}`));
    }, 5_000);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseRaw(received));
    });
    socket.write(bytes);
  });
}

/** A connection that sends a never-ending request line, one byte per tick, as a slowloris does. */
export interface Trickler {
  socket: Socket;
  openedAt: number;
  closedAt: number | undefined;
  received: string;
}

export function openTrickler(port: number): Trickler {
  const trickler: Trickler = { socket: connect(port, '127.0.0.1'), openedAt: performance.now(), closedAt: undefined, received: '' };
  trickler.socket.on('data', (chunk: Buffer) => (trickler.received += chunk.toString('latin1')));
  trickler.socket.on('error', () => undefined);
  trickler.socket.on('close', () => (trickler.closedAt ??= performance.now()));
  return trickler;
}

/** A fresh connection per request, as a new client would open. */
export function getOnNewConnection(port: number, path = '/'): Promise<{ status: number; body: string; headers: IncomingMessage['headers'] }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (incoming) => {
      let body = '';
      incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body, headers: incoming.headers }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
