interface Violation {
  field?: unknown;
  message?: unknown;
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * An error answer as one readable line: the status, the detail and every offending field with
 * its message, then the correlation id to find it in the logs. Works for RFC 9457 problems and
 * for anything else a proxy in between may answer.
 */
export function describeProblem(status: number, body: unknown): string {
  if (typeof body !== 'object' || body === null) {
    const text = typeof body === 'string' ? oneLine(body).slice(0, 300) : '';
    return `${status}${text ? `: ${text}` : ''}`;
  }
  const problem = body as Record<string, unknown>;
  const title = typeof problem['title'] === 'string' ? ` ${problem['title']}` : '';
  const detail = typeof problem['detail'] === 'string' ? oneLine(problem['detail']) : '';
  const violations = Array.isArray(problem['errors']) ? (problem['errors'] as Violation[]) : [];
  const fields = violations
    .map((violation) => [violation.field, violation.message].filter((part) => typeof part === 'string' && part !== '').join(': '))
    .filter((text) => text !== '')
    .map(oneLine);
  // The detail often repeats the only violation; say it once.
  const parts = [detail, ...fields.filter((field) => !detail.includes(field))].filter((part) => part !== '');
  const correlation = typeof problem['correlationId'] === 'string' ? ` (correlation id ${problem['correlationId']})` : '';
  return `${status}${title}${parts.length > 0 ? `: ${parts.join('; ')}` : ''}${correlation}`;
}
