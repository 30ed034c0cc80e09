export const ROUTING_CONTROL_SERVICE = 'routing-control';
export const ROUTING_CONTROL_SCHEMA = 'routing';
