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

/** Most objects of a body (a sample, a label set) have a few keys: a list compares them faster than a set. */
const SMALL_OBJECT_KEYS = 8;

/*
 * One container per nesting level, reused by every object or array met at that level: a body of
 * 10 000 samples opens 10 000 objects, and the check must not allocate for each.
 */
class Container {
  object = false;
  /** An object's keys so far: the first SMALL_OBJECT_KEYS in a list, all of them in a set past that. */
  readonly keys: string[] = [];
  manyKeys: Set<string> | undefined;
  /** Its key or index in the container one level up: the path is built only for a refusal. */
  slot: string | number | undefined;
  index = 0;
  key: string | undefined;
  expectingKey = false;

  open(object: boolean, slot: string | number | undefined): this {
    this.object = object;
    this.keys.length = 0;
    this.manyKeys = undefined;
    this.slot = slot;
    this.index = 0;
    this.key = undefined;
    this.expectingKey = object;
    return this;
  }

  /** Where its next value sits: its key in an object, its index in an array. */
  get nextSlot(): string | number | undefined {
    return this.object ? this.key : this.index;
  }

  /** Whether `key` was seen in the object before; remembers it. */
  repeats(key: string): boolean {
    if (this.manyKeys) {
      if (this.manyKeys.has(key)) {
        return true;
      }
      this.manyKeys.add(key);
      return false;
    }
    if (this.keys.includes(key)) {
      return true;
    }
    this.keys.push(key);
    if (this.keys.length > SMALL_OBJECT_KEYS) {
      this.manyKeys = new Set(this.keys);
    }
    return false;
  }
}

function step(path: string, slot: string | number | undefined): string {
  return typeof slot === 'number' ? `${path}[${slot}]` : `${path}.${slot ?? ''}`;
}

/** The path of the container open at `level` (0: the body itself). */
function pathOf(levels: readonly Container[], level: number): string {
  let path = 'body';
  for (let at = 1; at <= level; at++) {
    path = step(path, levels[at]?.slot);
  }
  return path;
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
          if (top.repeats(key)) {
            return { field: `${pathOf(levels, depth - 1)}.${key}`, message: 'is given twice; a JSON object key may appear once' };
          }
          top.key = key;
        }
        top.expectingKey = false;
      }
      at = end;
    } else if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      if (depth >= maxDepth) {
        return { field: top ? step(pathOf(levels, depth - 1), top.nextSlot) : 'body', message: `nests deeper than ${maxDepth} levels` };
      }
      (levels[depth] ??= new Container()).open(code === 0x7b, top?.nextSlot);
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
