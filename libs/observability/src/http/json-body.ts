import { UnprocessableEntityException } from '@nestjs/common';
import { DomainViolation } from '@strata/domain';
import { isAscii } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * How deeply a JSON body may nest. Strata's deepest request (a component version with an inline
 * spec) nests about a dozen levels; a deeper body is refused before it is parsed, because
 * class-transformer and class-validator recurse once per level and overflow the stack on
 * thousands.
 */
export const MAX_JSON_DEPTH = 32;

/** Input that parses but cannot be accepted as it stands: 422 with every offending field. */
export class UnprocessableInputException extends UnprocessableEntityException {
  constructor(
    readonly violations: DomainViolation[],
    message = `request is unprocessable: ${violations.map((violation) => `${violation.field} ${violation.message}`).join('; ')}`,
  ) {
    super(message);
  }
}

interface Container {
  /** Keys seen so far, for an object (a short list, a set past SMALL_OBJECT_KEYS); undefined for an array. */
  keys: string[] | Set<string> | undefined;
  /** The container this one sits in, and its key or index there: the path is built only for a refusal. */
  parent: Container | undefined;
  slot: string | number | undefined;
  index: number;
  key: string | undefined;
  expectingKey: boolean;
}

/** Most objects of a body (a sample, a label set) have a few keys: a list compares them faster than a set. */
const SMALL_OBJECT_KEYS = 8;

/** Where the next value of `container` sits: its key in an object, its index in an array. */
function slotIn(container: Container): string | number | undefined {
  return container.keys ? container.key : container.index;
}

function step(path: string, slot: string | number | undefined): string {
  return typeof slot === 'number' ? `${path}[${slot}]` : `${path}.${slot ?? ''}`;
}

function pathOf(container: Container): string {
  return container.parent ? step(pathOf(container.parent), container.slot) : 'body';
}

/** Whether `key` was seen in `container` before; remembers it. */
function repeatsKey(container: Container & { keys: string[] | Set<string> }, key: string): boolean {
  const keys = container.keys;
  if (Array.isArray(keys)) {
    if (keys.includes(key)) {
      return true;
    }
    keys.push(key);
    if (keys.length > SMALL_OBJECT_KEYS) {
      container.keys = new Set(keys);
    }
    return false;
  }
  if (keys.has(key)) {
    return true;
  }
  keys.add(key);
  return false;
}

function decodedKey(raw: string): string | undefined {
  if (!raw.includes('\\')) {
    return raw.slice(1, -1);
  }
  try {
    return JSON.parse(raw) as string;
  } catch {
    return undefined; // a malformed escape; JSON.parse of the whole body reports it
  }
}

/**
 * One pass over a JSON text, before JSON.parse, refusing what JSON.parse would silently accept
 * and what would break later: nesting deeper than MAX_JSON_DEPTH and duplicate keys (JSON.parse
 * keeps the last one, so two readers of the same body could disagree on its value). Malformed
 * text is left to JSON.parse, which reports it.
 */
export function jsonBodyViolation(text: string, maxDepth = MAX_JSON_DEPTH): DomainViolation | undefined {
  const stack: Container[] = [];
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    const top = stack[stack.length - 1];
    if (code === 0x22 /* " */) {
      let end = at + 1;
      while (end < text.length && text.charCodeAt(end) !== 0x22) {
        end += text.charCodeAt(end) === 0x5c /* \ */ ? 2 : 1;
      }
      if (top?.keys && top.expectingKey) {
        const key = decodedKey(text.slice(at, end + 1));
        if (key !== undefined) {
          if (repeatsKey(top as Container & { keys: string[] | Set<string> }, key)) {
            return { field: `${pathOf(top)}.${key}`, message: 'is given twice; a JSON object key may appear once' };
          }
          top.key = key;
        }
        top.expectingKey = false;
      }
      at = end;
    } else if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      if (stack.length >= maxDepth) {
        return { field: top ? step(pathOf(top), slotIn(top)) : 'body', message: `nests deeper than ${maxDepth} levels` };
      }
      stack.push({ keys: code === 0x7b ? [] : undefined, parent: top, slot: top ? slotIn(top) : undefined, index: 0, key: undefined, expectingKey: code === 0x7b });
    } else if (code === 0x7d /* } */ || code === 0x5d /* ] */) {
      stack.pop();
    } else if (code === 0x2c /* , */ && top) {
      top.index++;
      top.expectingKey = top.keys !== undefined;
    }
  }
  return undefined;
}

/** body-parser's `verify` hook for JSON: throws 422 naming the field before the body is parsed. */
export function verifyJsonBody(_request: IncomingMessage, _response: ServerResponse, body: Buffer, encoding: string | null): void {
  let text: string;
  try {
    // UTF-8 that is all ASCII (most bodies) is the same text read as latin1, a copy without the
    // decoder's per-byte work.
    text = isAscii(body) && /^utf-?8$/i.test(encoding ?? 'utf-8') ? body.toString('latin1') : new TextDecoder(encoding ?? 'utf-8').decode(body);
  } catch {
    return; // an unknown charset; body-parser refuses it with 415
  }
  const violation = jsonBodyViolation(text);
  if (violation) {
    throw new UnprocessableInputException([violation]);
  }
}
