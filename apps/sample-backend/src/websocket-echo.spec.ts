import { readFrame, webSocketAccept, webSocketFrame } from './websocket-echo';

describe('the sample backend WebSocket echo', () => {
  it('answers the handshake key as RFC 6455 §1.3 does', () => {
    expect(webSocketAccept('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it.each([0, 5, 125, 126, 65_535, 65_536, 200_000])('frames and reads back a %i-byte payload', (length) => {
    const payload = Buffer.alloc(length, 'a');
    const frame = webSocketFrame(0x1, payload);
    expect(readFrame(frame)).toEqual({ opcode: 0x1, payload, size: frame.length });
  });

  it('unmasks a client frame (RFC 6455 §5.7: a masked "Hello")', () => {
    const frame = Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    expect(readFrame(frame)).toEqual({ opcode: 0x1, payload: Buffer.from('Hello'), size: 11 });
  });

  it('waits for the rest of a frame split across reads', () => {
    const frame = webSocketFrame(0x1, Buffer.alloc(300, 'b'));
    for (const cut of [1, 3, 10, 299]) {
      expect(readFrame(frame.subarray(0, cut))).toBeUndefined();
    }
  });

  it('reads a frame announcing more than the limit as oversized at once, without waiting for it', () => {
    const header = Buffer.from([0x82, 127, 0, 0, 0, 0, 0x10, 0, 0, 0]);
    expect(readFrame(header)?.payload.length).toBeGreaterThan(1024 * 1024);
  });
});
