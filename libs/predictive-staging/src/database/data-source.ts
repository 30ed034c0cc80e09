import { DatabaseConfig } from '@strata/config';
import { createServiceDataSource } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { InitialPredictiveStaging1764201600000 } from './migrations/1764201600000-initial-predictive-staging';
import { AnomaliesAndForecasts1764374400000 } from './migrations/1764374400000-anomalies-and-forecasts';
import { AuditLogAndKnownTokens1765411200000 } from './migrations/1765411200000-audit-log-and-known-tokens';
import { Proposals1765900000000 } from './migrations/1765900000000-proposals';
import { ProposalPromotion1766000000000 } from './migrations/1766000000000-proposal-promotion';
import { DeploymentHistory1766100000000 } from './migrations/1766100000000-deployment-history';
import { LbWeightsProposals1766200000000 } from './migrations/1766200000000-lb-weights-proposals';
import { MirrorTrials1766300000000 } from './migrations/1766300000000-mirror-trials';
import { ProposalObservationWindow1766400000000 } from './migrations/1766400000000-proposal-observation-window';
import { MirrorTrialNodes1766450000000 } from './migrations/1766450000000-mirror-trial-nodes';
import { DeploymentLocations1766500000000 } from './migrations/1766500000000-deployment-locations';
import { IndexAdviceRequests1766550000000 } from './migrations/1766550000000-index-advice-requests';
import { PREDICTIVE_STAGING_SCHEMA } from './predictive-staging-schema';

export function createPredictiveStagingDataSource(database: DatabaseConfig): DataSource {
  return createServiceDataSource({
    schema: PREDICTIVE_STAGING_SCHEMA,
    url: database.url,
    poolSize: database.poolSize,
    entities: [],
    migrations: [InitialPredictiveStaging1764201600000, AnomaliesAndForecasts1764374400000, AuditLogAndKnownTokens1765411200000, Proposals1765900000000, ProposalPromotion1766000000000, DeploymentHistory1766100000000, LbWeightsProposals1766200000000, MirrorTrials1766300000000, ProposalObservationWindow1766400000000, MirrorTrialNodes1766450000000, DeploymentLocations1766500000000, IndexAdviceRequests1766550000000],
  });
}
