import { prepareSamples } from '../domain/prepared-samples';
import { float8ArrayParameter, int8ArrayParameter, sampleRowsBinaryCopy } from './samples-binary-copy';

/** A reader of the format as the PostgreSQL documentation describes it, to check the writer against. */
function decode(stream: Buffer): Array<Array<number | bigint>> {
  expect(stream.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
  expect(stream.readInt32BE(11)).toBe(0);
  let offset = 19 + stream.readInt32BE(15);
  const rows: Array<Array<number | bigint>> = [];
  for (;;) {
    const fields = stream.readInt16BE(offset);
    offset += 2;
    if (fields === -1) {
      expect(offset).toBe(stream.length);
      return rows;
    }
    const row: Array<number | bigint> = [];
    for (let field = 0; field < fields; field += 1) {
      const length = stream.readInt32BE(offset);
      offset += 4;
      row.push(length === 4 ? stream.readInt32BE(offset) : row.length === fields - 1 ? stream.readDoubleBE(offset) : stream.readBigInt64BE(offset));
      offset += length;
    }
    rows.push(row);
  }
}

describe(sampleRowsBinaryCopy.name, () => {
  const postgresEpochUs = BigInt(Date.UTC(2000, 0, 1)) * 1000n;
  const prepared = prepareSamples([
    { seriesId: '9007199254740991', samples: [{ timestamp: 1_764_201_600_123, value: -0.5 }] },
    { seriesId: '42', samples: [{ timestamp: 946_684_799_999, value: 1e300 }, { timestamp: 1_764_201_600_000, value: 3.25 }] },
  ]);

  it.each([1, 2, 1_000])('writes (series_id, time, value) rows in chunks of %i rows that form one valid stream', (chunkRows) => {
    const chunks = [...sampleRowsBinaryCopy(prepared, { withPosition: false }, chunkRows)];
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(3 / chunkRows));
    expect(decode(Buffer.concat(chunks))).toEqual([
      [42n, 946_684_799_999_000n - postgresEpochUs, 1e300],
      [42n, 1_764_201_600_000_000n - postgresEpochUs, 3.25],
      [9007199254740991n, 1_764_201_600_123_000n - postgresEpochUs, -0.5],
    ]);
  });

  it('prefixes each row with its position in the write for the staging table', () => {
    const rows = decode(Buffer.concat([...sampleRowsBinaryCopy(prepared, { withPosition: true })]));
    expect(rows.map((row) => row[0])).toEqual([0, 1, 2]);
    expect(rows[2]!.slice(1)).toEqual([9007199254740991n, 1_764_201_600_123_000n - postgresEpochUs, -0.5]);
  });

  it('refuses an id a double cannot hold exactly', () => {
    const tooLarge = prepareSamples([{ seriesId: '9007199254740993', samples: [{ timestamp: 1, value: 1 }] }]);
    expect(() => [...sampleRowsBinaryCopy(tooLarge, { withPosition: false })]).toThrow(/beyond 2\^53/);
  });
});

describe('binary array parameters', () => {
  const decodeArray = (buffer: Buffer) => {
    const [dimensions, hasNulls, elementType, length, lowerBound] = [0, 4, 8, 12, 16].map((offset) => buffer.readInt32BE(offset));
    const elements = Array.from({ length: length! }, (_, index) => {
      expect(buffer.readInt32BE(20 + index * 12)).toBe(8);
      return elementType === 701 ? buffer.readDoubleBE(24 + index * 12) : buffer.readBigInt64BE(24 + index * 12);
    });
    expect(buffer.length).toBe(20 + length! * 12);
    return { dimensions, hasNulls, elementType, lowerBound, elements };
  };

  it('writes int8[] and float8[] as PostgreSQL reads them (array_recv)', () => {
    expect(decodeArray(int8ArrayParameter([1_764_201_600_000, -3, 0, 2 ** 53 - 1]))).toEqual({
      dimensions: 1,
      hasNulls: 0,
      elementType: 20,
      lowerBound: 1,
      elements: [1_764_201_600_000n, -3n, 0n, 9007199254740991n],
    });
    expect(decodeArray(float8ArrayParameter([0.1, -1e-300, 123.456]))).toMatchObject({ elementType: 701, elements: [0.1, -1e-300, 123.456] });
    expect(decodeArray(float8ArrayParameter([]))).toMatchObject({ elements: [] });
  });
});
