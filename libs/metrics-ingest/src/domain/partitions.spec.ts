import { DAY_MS, acceptedRange, dayPartition, parsePartitionName, partitionsToCreate, partitionsToDrop } from './partitions';

const policy = { rawRetentionDays: 7, rollupRetentionDays: 30, partitionsAheadDays: 2 };
const now = Date.UTC(2026, 10, 27, 15, 30);

describe('partitions', () => {
  it('names a UTC day partition and parses the name back', () => {
    const sut = dayPartition('samples', now);
    expect(sut).toEqual({ table: 'samples', name: 'samples_p20261127', from: Date.UTC(2026, 10, 27), to: Date.UTC(2026, 10, 28) });
    expect(parsePartitionName('rollups_10s_p20261127')).toEqual(dayPartition('rollups_10s', now));
    expect(parsePartitionName('samples_default')).toBeNull();
  });

  it(`${partitionsToCreate.name} covers today and the days ahead for every table`, () => {
    const names = partitionsToCreate(now, policy).map((partition) => partition.name);
    expect(names).toHaveLength(4 * 3);
    expect(names).toEqual(expect.arrayContaining(['samples_p20261127', 'samples_p20261129', 'rollups_1m_p20261129', 'histograms_p20261128']));
  });

  it(`${partitionsToDrop.name} drops raw partitions past raw retention and rollups past theirs`, () => {
    const existing = ['samples_p20261119', 'samples_p20261120', 'samples_p20261121', 'rollups_10s_p20261120', 'rollups_1m_p20261027', 'something_else'];
    expect(partitionsToDrop(existing, now, policy).map((partition) => partition.name)).toEqual(['samples_p20261119', 'rollups_1m_p20261027']);
  });

  it(`${acceptedRange.name} runs from the raw horizon to the end of the last partition ahead`, () => {
    expect(acceptedRange(now, policy)).toEqual({ from: Date.UTC(2026, 10, 20), to: Date.UTC(2026, 10, 27) + 3 * DAY_MS });
  });
});
