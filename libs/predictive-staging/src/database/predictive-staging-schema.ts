export const PREDICTIVE_STAGING_SERVICE = 'predictive-staging';
export const PREDICTIVE_STAGING_SCHEMA = 'staging';
