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
        return `${variable}: ${issue.message}${received === undefined ? ' (not set)' : ` (got '${received}')`}`;
      }),
    );
  }
  return result.data;
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
