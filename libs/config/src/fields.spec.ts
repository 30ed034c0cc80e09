import { ConfigError } from './env';
import { readLogLevel } from './fields';

describe(readLogLevel.name, () => {
  it('reads LOG_LEVEL alone, info by default, whatever else is (not) set', () => {
    expect(readLogLevel({})).toBe('info');
    expect(readLogLevel({ LOG_LEVEL: 'warn', STRATA_BUS: 'kafka' })).toBe('warn');
  });

  it('refuses a level it does not know, naming the variable', () => {
    expect(() => readLogLevel({ LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => readLogLevel({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});
