/** One sample line of the Prometheus text exposition format 0.0.4. */
export interface ExpositionSample {
  /** Labels including `__name__`. */
  labels: Record<string, string>;
  value: number;
  /** Epoch milliseconds when the line carries one. */
  timestamp?: number;
  /** 1-based line number, for error messages. */
  line: number;
}

export class ExpositionSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'ExpositionSyntaxError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(token: string): number | null {
  switch (token) {
    case 'NaN':
      return Number.NaN;
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    default: {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(token)) {
        return null;
      }
      return Number(token);
    }
  }
}

/** Reads `{a="x",b="y"}` from position `start` (at the `{`); returns the labels and where it ended. */
function parseLabels(text: string, start: number, line: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let position = start + 1;
  for (;;) {
    while (text[position] === ' ' || text[position] === '\t') position += 1;
    if (text[position] === '}') {
      return { labels, end: position + 1 };
    }
    const name = LABEL_NAME.exec(text.slice(position))?.[0];
    if (!name) {
      throw new ExpositionSyntaxError(line, `expected a label name at column ${position + 1}`);
    }
    position += name.length;
    while (text[position] === ' ') position += 1;
    if (text[position] !== '=' || text[position + 1] !== '"') {
      throw new ExpositionSyntaxError(line, `expected ="…" after label '${name}'`);
    }
    position += 2;
    let value = '';
    for (;;) {
      const character = text[position];
      if (character === undefined) {
        throw new ExpositionSyntaxError(line, `unterminated value of label '${name}'`);
      }
      if (character === '"') {
        position += 1;
        break;
      }
      if (character === '\\') {
        const escaped = text[position + 1];
        value += escaped === 'n' ? '\n' : escaped === '\\' ? '\\' : escaped === '"' ? '"' : `\\${escaped ?? ''}`;
        position += 2;
        continue;
      }
      value += character;
      position += 1;
    }
    if (name in labels) {
      throw new ExpositionSyntaxError(line, `label '${name}' appears twice`);
    }
    labels[name] = value;
    while (text[position] === ' ') position += 1;
    if (text[position] === ',') {
      position += 1;
    } else if (text[position] !== '}') {
      throw new ExpositionSyntaxError(line, `expected ',' or '}' after label '${name}'`);
    }
  }
}

/**
 * Parses text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
 * Comments, HELP and TYPE lines carry nothing Strata stores; any malformed line refuses the whole
 * body, naming the line.
 */
export function parseExposition(body: string): ExpositionSample[] {
  const samples: ExpositionSample[] = [];
  const lines = body.split('\n');
  for (const [index, rawLine] of lines.entries()) {
    const line = index + 1;
    const text = rawLine.replace(/\r$/, '').trim();
    if (text === '' || text.startsWith('#')) {
      continue;
    }
    const name = METRIC_NAME.exec(text)?.[0];
    if (!name) {
      throw new ExpositionSyntaxError(line, 'expected a metric name');
    }
    let position = name.length;
    let labels: Record<string, string> = {};
    if (text[position] === '{') {
      ({ labels, end: position } = parseLabels(text, position, line));
    }
    if ('__name__' in labels) {
      throw new ExpositionSyntaxError(line, `label '__name__' is reserved`);
    }
    const [valueToken, timestampToken, ...rest] = text.slice(position).trim().split(/\s+/);
    if (valueToken === undefined || valueToken === '' || rest.length > 0) {
      throw new ExpositionSyntaxError(line, 'expected a value and an optional timestamp after the metric');
    }
    const value = parseValue(valueToken);
    if (value === null) {
      throw new ExpositionSyntaxError(line, `'${valueToken}' is not a number`);
    }
    const sample: ExpositionSample = { labels: { __name__: name, ...labels }, value, line };
    if (timestampToken !== undefined) {
      if (!/^-?\d+$/.test(timestampToken) || !Number.isSafeInteger(Number(timestampToken))) {
        throw new ExpositionSyntaxError(line, `'${timestampToken}' is not a timestamp in milliseconds`);
      }
      sample.timestamp = Number(timestampToken);
    }
    samples.push(sample);
  }
  return samples;
}
