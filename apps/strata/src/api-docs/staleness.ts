const stable = (value: unknown) => JSON.stringify(value);

/**
 * The parts of a committed document that the code no longer produces, named so a failing check
 * says what changed: `paths./v1/stacks` or `components.messages.io.strata…` — each section's
 * entries added, removed or changed, and any other top-level field that differs.
 */
export function staleParts(committed: Record<string, unknown>, generated: Record<string, unknown>, sections: readonly string[]): string[] {
  const parts: string[] = [];
  const entries = (document: Record<string, unknown>, section: string) => {
    const value = section.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
    return (value ?? {}) as Record<string, unknown>;
  };
  for (const section of sections) {
    const before = entries(committed, section);
    const after = entries(generated, section);
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      if (!(key in after)) parts.push(`${section}.${key} (removed)`);
      else if (!(key in before)) parts.push(`${section}.${key} (added)`);
      else if (stable(before[key]) !== stable(after[key])) parts.push(`${section}.${key} (changed)`);
    }
  }
  const topLevel = (document: Record<string, unknown>) => Object.fromEntries(Object.entries(document).map(([key, value]) => [key, sections.some((section) => section.split('.')[0] === key) ? null : value]));
  for (const [key, value] of Object.entries(topLevel(generated))) {
    if (stable(value) !== stable(topLevel(committed)[key])) parts.push(`${key} (changed)`);
  }
  // Sections share a top-level key with fields outside them (components.securitySchemes): compare the rest too.
  if (parts.length === 0 && stable(committed) !== stable(generated)) parts.push('(other fields changed)');
  return parts;
}
