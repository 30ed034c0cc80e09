import { DomainViolation } from '../errors/domain-error';

/**
 * Text no Strata field may hold: U+0000, which PostgreSQL cannot store in `text` (it fails the
 * query), and lone UTF-16 surrogates, which are not Unicode scalar values and cannot be encoded
 * as UTF-8 without loss. Refusing them where input enters keeps them from every table and event.
 */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSAFE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function unsafeTextReason(text: string): string | undefined {
  const match = UNSAFE_TEXT.exec(text);
  if (!match) {
    return undefined;
  }
  return match[0] === '\u0000' ? 'must not contain U+0000 (NUL)' : 'must not contain a lone UTF-16 surrogate';
}

/**
 * Every string (and object key) in a parsed value that holds unsafe text, named by its path from
 * `field`, e.g. `body.environments[0].name`. Walks iteratively: a deeply nested value cannot
 * overflow the stack here.
 */
export function unsafeTextViolations(value: unknown, field: string, limit = 20): DomainViolation[] {
  const violations: DomainViolation[] = [];
  const pending: [unknown, string][] = [[value, field]];
  while (pending.length > 0 && violations.length < limit) {
    const [current, at] = pending.pop() as [unknown, string];
    if (typeof current === 'string') {
      const reason = unsafeTextReason(current);
      if (reason) {
        violations.push({ field: at, message: reason });
      }
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => pending.push([item, `${at}[${index}]`]));
    } else if (current !== null && typeof current === 'object' && !ArrayBuffer.isView(current)) {
      for (const [key, item] of Object.entries(current)) {
        const reason = unsafeTextReason(key);
        // A key that is unsafe text is shown escaped, so the problem document stays valid text.
        const name = reason ? JSON.stringify(key).slice(1, -1) : key;
        const path = at ? `${at}.${name}` : name;
        if (reason) {
          violations.push({ field: path, message: `its name ${reason}` });
        }
        pending.push([item, path]);
      }
    }
  }
  return violations;
}
