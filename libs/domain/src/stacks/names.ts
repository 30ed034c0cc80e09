/** Names of stacks, components and environments travel in URLs, topics keys and labels. */
const RESOURCE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Why a value is not a resource name, or undefined when it is one. Takes any value: a manifest's
 * document is data, and `RegExp.test(undefined)` would test the string "undefined" and pass.
 */
export function resourceNameProblem(name: unknown): string | undefined {
  if (typeof name === 'string' && RESOURCE_NAME.test(name)) {
    return undefined;
  }
  return 'must be 1-63 characters of lowercase letters, digits and hyphens, starting and ending with a letter or digit';
}
