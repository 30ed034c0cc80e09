import { KafkaEventBus } from '@strata/messaging';
import { eventually, requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { PredictiveStagingTestApp, startPredictiveStagingTestApp, testSettings } from './test-support/predictive-staging-test-app';
import { START, WINDOW_MS, aSeries, feedWindows, steadySeries } from './test-support/series-fixtures';

/** The distributed path: KPI windows consumed from a real Kafka broker, the anomaly published back on it. */
describe('predictive-staging on Kafka', () => {
  let sut: PredictiveStagingTestApp;

  beforeAll(async () => {
    const bus = new KafkaEventBus({ brokers: requireKafkaBrokers(), clientId: 'predictive-staging-test', topicPrefix: uniqueTopicPrefix('predictive'), partitions: 3, replicationFactor: 1 });
    sut = await startPredictiveStagingTestApp('ps-kafka', testSettings(), bus);
  }, 60_000);

  afterAll(async () => {
    await sut?.close();
  }, 30_000);

  it('turns a spike in windows from kpi.windows into an anomaly event on the anomalies topic', async () => {
    const series = aSeries();
    const values = steadySeries(172);
    values[170] = 175;
    await feedWindows(sut, 'kafka-series', series, values);

    const event = await eventually(
      () => {
        const found = sut.published.find((candidate) => candidate.type === 'io.strata.anomaly.detected.v1');
        expect(found).toBeDefined();
        return found!;
      },
      30_000,
      200,
    );
    expect(event).toMatchObject({ source: '/strata/predictive-staging', subject: series.stack, data: { seriesId: 'kafka-series', at: START + 171 * WINDOW_MS, evidence: { observed: 175 } } });
    expect(sut.published.filter((candidate) => candidate.type === 'io.strata.anomaly.detected.v1')).toHaveLength(1);
  }, 120_000);
});
