import { compress } from 'snappyjs';
import { RemoteWriteDecodeError, decodeRemoteWrite, encodeRemoteWrite } from './remote-write';

describe(decodeRemoteWrite.name, () => {
  const request = {
    timeseries: [
      { labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'api' }], samples: [{ value: 1, timestamp: 1764201600123 }] },
      { labels: [{ name: '__name__', value: 'empty' }], samples: [] },
    ],
  };

  it('decodes what encodeRemoteWrite produced, with 64-bit millisecond timestamps as numbers', () => {
    expect(decodeRemoteWrite(encodeRemoteWrite(request), 1024 * 1024)).toEqual(request);
  });

  it('refuses a body that is not snappy, or not a WriteRequest, or too large once decompressed', () => {
    expect(() => decodeRemoteWrite(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]), 1024)).toThrow(RemoteWriteDecodeError);
    expect(() => decodeRemoteWrite(compress(Buffer.from([0x0a, 0xff, 0xff])), 1024)).toThrow(/not a protobuf WriteRequest/);
    expect(() => decodeRemoteWrite(encodeRemoteWrite(request), 8)).toThrow(/within 8 bytes/);
  });
});
