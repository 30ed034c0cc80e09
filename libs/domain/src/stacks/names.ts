/** Names of stacks, components and environments travel in URLs, topics keys and labels. */
const RESOURCE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function resourceNameProblem(name: string): string | undefined {
  if (RESOURCE_NAME.test(name)) {
    return undefined;
  }
  return 'must be 1-63 characters of lowercase letters, digits and hyphens, starting and ending with a letter or digit';
}
