/**
 * `--name value` from a bench's arguments as a positive number, `fallback` when absent; anything
 * else goes to `refuse`, which ends the bench naming the flag.
 */
export function positiveNumberFlag(args: readonly string[], name: string, fallback: number, refuse: (message: string) => never): number {
  const index = args.indexOf(`--${name}`);
  if (index === -1) {
    return fallback;
  }
  const value = Number(args[index + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    refuse(`--${name} must be a positive number, got '${args[index + 1] ?? ''}'`);
  }
  return value;
}
