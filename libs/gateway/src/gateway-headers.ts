/** Names the stack config that answered; the gateway's own header, replacing any a backend sends. */
export const STACK_CONFIG_HEADER = 'x-strata-stack-config';
/** The version a backend reports on its answers; the gateway compares it with the declared one. */
export const VERSION_HEADER = 'x-strata-version';
/** Marks a mirrored copy of a request, so the staging backend can tell it from real traffic. */
export const MIRROR_HEADER = 'x-strata-mirror';
/** Names the stack config whose failure the stable config's answer replaces. */
export const RETRIED_FROM_HEADER = 'x-strata-retried-from';
