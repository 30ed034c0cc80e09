import { createHash } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** RFC 6455 §1.3: appended to the client's key before hashing it into Sec-WebSocket-Accept. */
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A message larger than this is refused (close 1009): the sample echoes chat-sized text, not files. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;

const OPCODE = { text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;

export function webSocketAccept(key: string): string {
  return createHash('sha1').update(key + HANDSHAKE_GUID).digest('base64');
}

/** One unfragmented, unmasked frame, as a server sends it. */
export function webSocketFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.from([0x80 | opcode, length]) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (length >= 126) {
    header[0] = 0x80 | opcode;
    header[1] = length < 65_536 ? 126 : 127;
    if (length < 65_536) header.writeUInt16BE(length, 2);
    else header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/**
 * `/ws` of the sample backend: a WebSocket echo (RFC 6455, unfragmented frames). The handshake's
 * 101 carries the backend's version header like every answer; the first message names the version
 * and node; every text message is echoed, a ping answered with a pong, a close with a close. What
 * the gateway's tunnels are tried against in the quickstart's end-to-end test.
 */
export function acceptWebSocket(request: IncomingMessage, socket: Duplex, head: Buffer, identity: { version: string; node: string }): void {
  const key = request.headers['sec-websocket-key'];
  if (request.url !== '/ws' || request.headers.upgrade?.toLowerCase() !== 'websocket' || typeof key !== 'string') {
    const body = 'only GET /ws upgrades, to websocket, with a Sec-WebSocket-Key\n';
    socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    return;
  }
  socket.on('error', () => socket.destroy());
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${webSocketAccept(key)}\r\nx-strata-version: ${identity.version}\r\n\r\n`,
  );
  socket.write(webSocketFrame(OPCODE.text, Buffer.from(JSON.stringify(identity))));
  let pending = head;
  const onData = (chunk: Buffer): void => {
    pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    for (let frame = readFrame(pending); frame; frame = readFrame(pending)) {
      pending = pending.subarray(frame.size);
      if (frame.payload.length > MAX_PAYLOAD_BYTES) {
        socket.end(webSocketFrame(OPCODE.close, Buffer.from([0x03, 0xf1]))); // 1009: message too big
        return;
      }
      if (frame.opcode === OPCODE.text) socket.write(webSocketFrame(OPCODE.text, frame.payload));
      else if (frame.opcode === OPCODE.ping) socket.write(webSocketFrame(OPCODE.pong, frame.payload));
      else if (frame.opcode === OPCODE.close) {
        socket.end(webSocketFrame(OPCODE.close, frame.payload.subarray(0, 2)));
        return;
      }
    }
  };
  socket.on('data', onData);
  socket.on('end', () => socket.end());
  if (pending.length > 0) {
    const bytes = pending;
    pending = Buffer.alloc(0);
    onData(bytes);
  }
}

/** The first whole frame in `bytes` (payload unmasked), or undefined until one has arrived. */
export function readFrame(bytes: Buffer): { opcode: number; payload: Buffer; size: number } | undefined {
  if (bytes.length < 2) return undefined;
  const masked = (bytes[1] & 0x80) !== 0;
  let length = bytes[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (bytes.length < 4) return undefined;
    length = bytes.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return undefined;
    length = Number(bytes.readBigUInt64BE(2));
    offset = 10;
  }
  const maskOffset = offset;
  offset += masked ? 4 : 0;
  // A frame announcing more than the limit is answered at once rather than buffered.
  if (length > MAX_PAYLOAD_BYTES) return { opcode: bytes[0] & 0x0f, payload: Buffer.alloc(MAX_PAYLOAD_BYTES + 1), size: bytes.length };
  if (bytes.length < offset + length) return undefined;
  const payload = Buffer.from(bytes.subarray(offset, offset + length));
  if (masked) {
    for (let index = 0; index < payload.length; index++) payload[index] ^= bytes[maskOffset + (index % 4)];
  }
  return { opcode: bytes[0] & 0x0f, payload, size: offset + length };
}
