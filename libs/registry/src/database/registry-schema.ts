export const REGISTRY_SERVICE = 'registry';
export const REGISTRY_SCHEMA = 'registry';
