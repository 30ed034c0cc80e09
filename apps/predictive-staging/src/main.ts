import 'reflect-metadata';
import { loadConfigOrExit } from '@strata/config';
import { PredictiveStagingModule, readPredictiveStagingSettings } from '@strata/predictive-staging';
import { runService } from '@strata/runtime';

void runService({
  service: 'predictive-staging',
  description: 'Anomaly detection, forecasts and staged proposals.',
  module: (options) => PredictiveStagingModule.register(options, loadConfigOrExit(() => readPredictiveStagingSettings(), 'strata-predictive-staging')),
});
