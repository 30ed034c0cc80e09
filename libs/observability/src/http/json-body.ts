import { UnprocessableEntityException } from '@nestjs/common';
import { DomainViolation } from '@strata/domain';
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
  /** Keys seen so far, for an object; undefined for an array. */
  keys: Set<string> | undefined;
  path: string;
  index: number;
  key: string | undefined;
  expectingKey: boolean;
}

function childPath(container: Container | undefined): string {
  if (!container) {
    return 'body';
  }
  return container.keys ? `${container.path}.${container.key ?? ''}` : `${container.path}[${container.index}]`;
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
          if (top.keys.has(key)) {
            return { field: `${top.path}.${key}`, message: 'is given twice; a JSON object key may appear once' };
          }
          top.keys.add(key);
          top.key = key;
        }
        top.expectingKey = false;
      }
      at = end;
    } else if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      if (stack.length >= maxDepth) {
        return { field: childPath(top), message: `nests deeper than ${maxDepth} levels` };
      }
      stack.push({ keys: code === 0x7b ? new Set() : undefined, path: childPath(top), index: 0, key: undefined, expectingKey: code === 0x7b });
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
    text = new TextDecoder(encoding ?? 'utf-8').decode(body);
  } catch {
    return; // an unknown charset; body-parser refuses it with 415
  }
  const violation = jsonBodyViolation(text);
  if (violation) {
    throw new UnprocessableInputException([violation]);
  }
}
