import 'reflect-metadata';
import { PredictiveStagingModule } from '@strata/predictive-staging';
import { runService } from '@strata/runtime';

void runService({
  service: 'predictive-staging',
  description: 'Anomaly detection, forecasts and staged proposals.',
  module: (options) => PredictiveStagingModule.register(options),
});
