/** A generated document as committed: two-space JSON and a final newline, so a diff reads line by line. */
export function serializeDocument(document: Record<string, unknown>): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
