/** An environment variable a bench-only child process cannot start without: it exits 2 naming it. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`${name} is required\n`);
    process.exit(2);
  }
  return value;
}
