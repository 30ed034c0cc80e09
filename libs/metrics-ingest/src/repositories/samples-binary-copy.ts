import { PreparedSamples } from '../domain/prepared-samples';
import { at } from '../domain/typed-arrays';

/*
 * PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary
 * Format") for rows of samples: cheaper on both sides than text — no number formatting in Node,
 * and above all no timestamp parsing in PostgreSQL, which dominates a text COPY of samples.
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8; // flags field and header extension length, both 0
const TRAILER_BYTES = 2;
/** timestamptz is microseconds since 2000-01-01T00:00:00Z. */
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_TO_32 = 2 ** 32;
/** Large enough to amortise stream overhead, small enough to keep memory flat under backpressure. */
export const COPY_CHUNK_ROWS = 4_096;

export interface SampleRowsLayout {
  /** Adds a leading int4 column: the sample's position in the write (staging rows for duplicates). */
  withPosition: boolean;
}

function rowBytes(layout: SampleRowsLayout): number {
  // field count (int16), then per field its length (int32) and bytes: int8, timestamptz, float8 [, int4]
  return 2 + 3 * (4 + 8) + (layout.withPosition ? 4 + 4 : 0);
}

function writeInt64(view: DataView, offset: number, value: number): void {
  const high = Math.floor(value / TWO_TO_32);
  view.setInt32(offset, high);
  view.setUint32(offset + 4, value - high * TWO_TO_32);
}

/** The COPY ... (FORMAT binary) stream of the samples, columns (series_id, time, value) or (position, series_id, time, value). */
export function* sampleRowsBinaryCopy(prepared: PreparedSamples, layout: SampleRowsLayout, chunkRows = COPY_CHUNK_ROWS): Generator<Buffer> {
  const bytesPerRow = rowBytes(layout);
  const fields = layout.withPosition ? 4 : 3;
  let chunk = Buffer.allocUnsafe(HEADER_BYTES + chunkRows * bytesPerRow);
  let view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  SIGNATURE.copy(chunk, 0);
  view.setInt32(SIGNATURE.length, 0);
  view.setInt32(SIGNATURE.length + 4, 0);
  let offset = HEADER_BYTES;
  let position = 0;
  for (const { seriesId, timestamps, values } of prepared.series) {
    const id = Number(seriesId);
    if (!Number.isSafeInteger(id)) {
      throw new Error(`series id ${seriesId} is beyond 2^53`);
    }
    for (let index = 0; index < timestamps.length; index += 1) {
      if (offset + bytesPerRow > chunk.length) {
        yield chunk.subarray(0, offset);
        chunk = Buffer.allocUnsafe(chunkRows * bytesPerRow + TRAILER_BYTES);
        view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        offset = 0;
      }
      view.setInt16(offset, fields);
      offset += 2;
      if (layout.withPosition) {
        view.setInt32(offset, 4);
        view.setInt32(offset + 4, position);
        offset += 8;
      }
      view.setInt32(offset, 8);
      writeInt64(view, offset + 4, id);
      view.setInt32(offset + 12, 8);
      // Exact: |timestamp − 2000| in microseconds stays far below 2^53 for any accepted sample.
      writeInt64(view, offset + 16, (at(timestamps, index) - POSTGRES_EPOCH_MS) * 1000);
      view.setInt32(offset + 24, 8);
      view.setFloat64(offset + 28, at(values, index));
      offset += 36;
      position += 1;
    }
  }
  if (offset + TRAILER_BYTES > chunk.length) {
    yield chunk.subarray(0, offset);
    chunk = Buffer.allocUnsafe(TRAILER_BYTES);
    view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    offset = 0;
  }
  view.setInt16(offset, -1);
  yield chunk.subarray(0, offset + TRAILER_BYTES);
}

const INT8_OID = 20;
const FLOAT8_OID = 701;
const ARRAY_HEADER_BYTES = 20; // dimensions, has-nulls flag, element type, length and lower bound of the one dimension

/*
 * A one-dimensional int8[] or float8[] query parameter in PostgreSQL's binary array format; pg sends
 * a Buffer parameter as binary. Formatting tens of thousands of doubles as text (and parsing them
 * back) costs more than the rest of preparing a write's rollups.
 */
function binaryArray(values: readonly number[], elementType: typeof INT8_OID | typeof FLOAT8_OID): Buffer {
  const buffer = Buffer.allocUnsafe(ARRAY_HEADER_BYTES + values.length * 12);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  view.setInt32(0, 1);
  view.setInt32(4, 0);
  view.setInt32(8, elementType);
  view.setInt32(12, values.length);
  view.setInt32(16, 1);
  let offset = ARRAY_HEADER_BYTES;
  for (const value of values) {
    view.setInt32(offset, 8);
    if (elementType === FLOAT8_OID) {
      view.setFloat64(offset + 4, value);
    } else {
      writeInt64(view, offset + 4, value);
    }
    offset += 12;
  }
  return buffer;
}

/** Whole numbers within ±2^53 (ids, epoch milliseconds, counts) as a binary int8[] parameter. */
export function int8ArrayParameter(values: readonly number[]): Buffer {
  return binaryArray(values, INT8_OID);
}

export function float8ArrayParameter(values: readonly number[]): Buffer {
  return binaryArray(values, FLOAT8_OID);
}
