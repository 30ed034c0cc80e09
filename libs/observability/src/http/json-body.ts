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

/*
 * One container per nesting level, reused by every object or array met at that level: a body of
 * 10 000 samples opens 10 000 objects, and the check must not allocate for each.
 */
interface Container {
  object: boolean;
  /** An object's keys so far: the first SMALL_OBJECT_KEYS in a list, all of them in a set past that. */
  keys: string[];
  manyKeys: Set<string> | undefined;
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
  return container.object ? container.key : container.index;
}

function step(path: string, slot: string | number | undefined): string {
  return typeof slot === 'number' ? `${path}[${slot}]` : `${path}.${slot ?? ''}`;
}

function pathOf(container: Container): string {
  return container.parent ? step(pathOf(container.parent), container.slot) : 'body';
}

/** Whether `key` was seen in the object before; remembers it. */
function repeatsKey(container: Container, key: string): boolean {
  if (container.manyKeys) {
    if (container.manyKeys.has(key)) {
      return true;
    }
    container.manyKeys.add(key);
    return false;
  }
  if (container.keys.includes(key)) {
    return true;
  }
  container.keys.push(key);
  if (container.keys.length > SMALL_OBJECT_KEYS) {
    container.manyKeys = new Set(container.keys);
  }
  return false;
}

/** The container of the next level, reset for an object or array opening there. */
function openLevel(levels: Container[], depth: number, object: boolean): Container {
  const parent = depth > 0 ? levels[depth - 1] : undefined;
  const slot = parent ? slotIn(parent) : undefined;
  const container = levels[depth];
  if (!container) {
    const fresh: Container = { object, keys: [], manyKeys: undefined, parent, slot, index: 0, key: undefined, expectingKey: object };
    levels.push(fresh);
    return fresh;
  }
  container.object = object;
  container.keys.length = 0;
  container.manyKeys = undefined;
  container.parent = parent;
  container.slot = slot;
  container.index = 0;
  container.key = undefined;
  container.expectingKey = object;
  return container;
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
  const levels: Container[] = [];
  let depth = 0;
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    const top = depth > 0 ? levels[depth - 1] : undefined;
    if (code === 0x22 /* " */) {
      let end = at + 1;
      while (end < text.length && text.charCodeAt(end) !== 0x22) {
        end += text.charCodeAt(end) === 0x5c /* \ */ ? 2 : 1;
      }
      if (top?.object && top.expectingKey) {
        const key = decodedKey(text.slice(at, end + 1));
        if (key !== undefined) {
          if (repeatsKey(top, key)) {
            return { field: `${pathOf(top)}.${key}`, message: 'is given twice; a JSON object key may appear once' };
          }
          top.key = key;
        }
        top.expectingKey = false;
      }
      at = end;
    } else if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      if (depth >= maxDepth) {
        return { field: top ? step(pathOf(top), slotIn(top)) : 'body', message: `nests deeper than ${maxDepth} levels` };
      }
      openLevel(levels, depth, code === 0x7b);
      depth += 1;
    } else if (code === 0x7d /* } */ || code === 0x5d /* ] */) {
      depth = Math.max(0, depth - 1);
    } else if (code === 0x2c /* , */ && top) {
      top.index++;
      top.expectingKey = top.object;
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
