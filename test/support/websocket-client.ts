import { randomBytes } from 'node:crypto';
import { Socket, connect } from 'node:net';
import { readFrame, webSocketAccept } from '../../apps/sample-backend/src/websocket-echo';

/**
 * A WebSocket client for end-to-end tests (node 20 has none built in): the RFC 6455 handshake over
 * a raw connection, text messages masked as a client must send them, and what came back.
 */
export class WebSocketTestClient {
  /** The handshake answer's headers, names lower-cased. */
  readonly headers: Record<string, string> = {};
  readonly messages: string[] = [];
  closed = false;
  private pending = Buffer.alloc(0);

  private constructor(private readonly socket: Socket) {}

  /** Opens `ws://host:port/path`; rejects unless the answer is a 101 with the right Sec-WebSocket-Accept. */
  static open(port: number, path: string, timeoutMs = 5_000): Promise<WebSocketTestClient> {
    const key = randomBytes(16).toString('base64');
    const socket = connect(port, '127.0.0.1');
    const client = new WebSocketTestClient(socket);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no handshake answer within ${timeoutMs} ms`)), timeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      let head = '';
      const onHead = (chunk: Buffer): void => {
        const text = head + chunk.toString('latin1');
        const end = text.indexOf('\r\n\r\n');
        if (end === -1) {
          head = text;
          return;
        }
        socket.off('data', onHead);
        clearTimeout(timer);
        const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
        for (const line of lines) {
          const colon = line.indexOf(':');
          client.headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        if (!statusLine.startsWith('HTTP/1.1 101 ') || client.headers['sec-websocket-accept'] !== webSocketAccept(key)) {
          fail(new Error(`handshake refused: ${text.slice(0, end)}`));
          return;
        }
        socket.on('data', (data: Buffer) => client.received(data));
        client.received(Buffer.from(text.slice(end + 4), 'latin1'));
        resolve(client);
      };
      socket.on('data', onHead);
      socket.on('error', (error) => fail(error));
      socket.on('close', () => (client.closed = true));
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
  }

  send(text: string): void {
    const payload = Buffer.from(text);
    if (payload.length > 125) {
      throw new Error('the test client sends short messages only (≤ 125 bytes)');
    }
    const mask = randomBytes(4);
    const masked = Buffer.from(payload.map((byte, index) => byte ^ mask[index % 4]));
    this.socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
  }

  close(): void {
    this.socket.destroy();
  }

  private received(data: Buffer): void {
    this.pending = Buffer.concat([this.pending, data]);
    for (let frame = readFrame(this.pending); frame; frame = readFrame(this.pending)) {
      this.pending = this.pending.subarray(frame.size);
      if (frame.opcode === 0x1) {
        this.messages.push(frame.payload.toString('utf8'));
      }
    }
  }
}
