import * as protobuf from 'protobufjs';
import { compress, uncompress } from 'snappyjs';

/**
 * Prometheus remote-write 1.0 (https://prometheus.io/docs/specs/remote_write_spec/): a snappy
 * block-compressed protobuf `prometheus.WriteRequest`. Only the fields Strata reads are declared;
 * protobuf skips the others (exemplars, native histograms, metadata) by design.
 */
const REMOTE_WRITE_PROTO = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
`;

const writeRequestType = protobuf.parse(REMOTE_WRITE_PROTO, { keepCase: true }).root.lookupType('prometheus.WriteRequest');

export interface RemoteWriteSeries {
  labels: Array<{ name: string; value: string }>;
  samples: Array<{ value: number; timestamp: number }>;
}

export interface RemoteWriteRequest {
  timeseries: RemoteWriteSeries[];
}

export class RemoteWriteDecodeError extends Error {
  override readonly name = 'RemoteWriteDecodeError';
}

/** Decodes a request body, refusing one whose declared uncompressed size exceeds `maxBytes`. */
export function decodeRemoteWrite(body: Buffer, maxBytes: number): RemoteWriteRequest {
  let raw: Buffer;
  try {
    raw = uncompress(body, maxBytes);
  } catch (error) {
    throw new RemoteWriteDecodeError(`body is not snappy block-compressed data within ${maxBytes} bytes: ${(error as Error).message}`);
  }
  try {
    const message = writeRequestType.decode(raw);
    const decoded = writeRequestType.toObject(message, { longs: Number, arrays: true, defaults: true }) as RemoteWriteRequest;
    return decoded;
  } catch (error) {
    throw new RemoteWriteDecodeError(`body is not a protobuf WriteRequest: ${(error as Error).message}`);
  }
}

/** The inverse, for tests, benchmarks and anything in Strata that remote-writes. */
export function encodeRemoteWrite(request: RemoteWriteRequest): Buffer {
  const message = writeRequestType.fromObject(request);
  return compress(Buffer.from(writeRequestType.encode(message).finish()));
}
