// Tests assert on behaviour, not on log lines; STRATA_TEST_LOGS=debug shows them when debugging.
import { LogLevel, setLogLevel } from '@strata/observability';

setLogLevel((process.env['STRATA_TEST_LOGS'] as LogLevel | undefined) ?? 'error');
