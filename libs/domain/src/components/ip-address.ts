/** IPv4, IPv6, and IPv4-mapped IPv6 (what node reports for IPv4 callers on a dual-stack socket). */
export function parseAddress(text: string): { family: 4 | 6; value: bigint } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) {
    return parseAddress(mapped[1]);
  }
  if (!text.includes(':')) {
    const octets = text.split('.');
    if (octets.length !== 4 || !octets.every((octet) => /^(0|[1-9]\d{0,2})$/.test(octet) && Number(octet) <= 255)) {
      return undefined;
    }
    return { family: 4, value: octets.reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n) };
  }
  const halves = text.split('::');
  if (halves.length > 2) {
    return undefined;
  }
  const groupsOf = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) {
    return undefined;
  }
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) {
    return undefined;
  }
  return { family: 6, value: groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n) };
}
