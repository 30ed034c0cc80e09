import { z } from 'zod';

export type Environment = Record<string, string | undefined>;

/** A start-up configuration problem; the message names every offending variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates environment variables against a schema whose keys are the variable names, so every
 * error message names the variable to fix. Empty strings count as unset.
 */
export function parseEnvironment<TSchema extends z.ZodObject>(schema: TSchema, env: Environment): z.infer<TSchema> {
  const present = Object.fromEntries(
    Object.keys(schema.shape)
      .map((name) => [name, env[name]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const variable = issue.path.map(String).join('.') || 'environment';
        const received = present[variable as keyof typeof present];
        return `${variable}: ${issueMessage(issue)}${received === undefined ? ' (not set)' : ` (${shownValue(variable, String(received))})`}`;
      }),
    );
  }
  return result.data;
}

const GENERIC_NUMBER_MESSAGE = /^(must be a (port )?number|Too (small|big))/;

/**
 * A bound says which bound: a number schema's own message ("must be a number", given for its type)
 * is also what zod reports for a check without one, so -1 read "must be a number".
 */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (!GENERIC_NUMBER_MESSAGE.test(issue.message)) return issue.message; // a bound's own words (e.g. naming another variable)
  if (issue.code === 'too_small' && typeof issue.minimum === 'number') {
    return `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${issue.minimum}`;
  }
  if (issue.code === 'too_big' && typeof issue.maximum === 'number') {
    return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum}`;
  }
  return issue.message;
}

/** Variables whose value is a credential by name: a start-up error says how long it is, never what. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|API_?KEY/i;

/**
 * What a start-up error shows of a refused value. Error output ends up in logs and CI output, so a
 * secret is never echoed (a mistyped token is still a token), a URL's password is masked, and a
 * long value is cut.
 */
export function shownValue(variable: string, value: string): string {
  if (SECRET_NAME.test(variable)) {
    return `got a value of ${value.length} characters, not shown: it is a secret`;
  }
  const masked = value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/i, '$1:***@');
  return `got '${masked.length > 200 ? `${masked.slice(0, 200)}…` : masked}'`;
}

/** Loads configuration at start-up; on a bad value prints what to fix and exits non-zero. */
export function loadConfigOrExit<T>(load: () => T, processName: string): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${processName}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG from sysexits.h: orchestrators can tell config errors from crashes.
    }
    throw error;
  }
}
