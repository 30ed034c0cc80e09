import { LoggerService } from '@nestjs/common';
import { currentCorrelationId } from './correlation';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let minimumLevel: LogLevel = 'info';
let sink: (line: string) => void = (line) => process.stdout.write(line);

export function setLogLevel(level: LogLevel): void {
  minimumLevel = level;
}

/** Redirects log lines (tests capture them); returns a function restoring stdout. */
export function setLogSink(write: (line: string) => void): () => void {
  const previous = sink;
  sink = write;
  return () => {
    sink = previous;
  };
}

/** Log lines captured by {@link captureLogs}: `restore` puts back the sink and the level there were before. */
export interface CapturedLogs {
  readonly lines: string[];
  restore(): void;
}

/** Captures every line at `level` and above until `restore` (specs asserting on what is logged). */
export function captureLogs(level: LogLevel): CapturedLogs {
  const lines: string[] = [];
  const previousLevel = minimumLevel;
  const restoreSink = setLogSink((line) => void lines.push(line));
  minimumLevel = level;
  return {
    lines,
    restore: () => {
      minimumLevel = previousLevel;
      restoreSink();
    },
  };
}

function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    return { error: { name: error.name, message: error.message, stack: error.stack } };
  }
  return error === undefined ? {} : { error };
}

/** One JSON object per line, with the correlation id of the request or message being handled. */
export class Logger {
  constructor(
    private readonly context: string,
    private readonly fields: Record<string, unknown> = {},
  ) {}

  child(fields: Record<string, unknown>): Logger {
    return new Logger(this.context, { ...this.fields, ...fields });
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.write('debug', message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.write('info', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.write('warn', message, fields);
  }

  error(message: string, error?: unknown, fields?: Record<string, unknown>): void {
    this.write('error', message, { ...fields, ...errorFields(error) });
  }

  private write(level: LogLevel, message: string, fields: Record<string, unknown> | undefined): void {
    if (SEVERITY[level] < SEVERITY[minimumLevel]) {
      return;
    }
    const correlationId = currentCorrelationId();
    const entry = {
      time: new Date().toISOString(),
      level,
      context: this.context,
      msg: message,
      ...(correlationId ? { correlationId } : {}),
      ...this.fields,
      ...fields,
    };
    sink(`${JSON.stringify(entry)}\n`);
  }
}

const CHATTY_NEST_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** Nest's logger port, writing through the same JSON lines. */
export class NestJsonLogger implements LoggerService {
  private readonly loggers = new Map<string, Logger>();

  log(message: unknown, context?: string): void {
    // Nest narrates every module and route it wires at start; useful when debugging only.
    if (context && CHATTY_NEST_CONTEXTS.has(context)) {
      this.for(context).debug(String(message));
      return;
    }
    this.for(context).info(String(message));
  }

  error(message: unknown, stackOrContext?: string, context?: string): void {
    const stack = context ? stackOrContext : undefined;
    this.for(context ?? stackOrContext).error(String(message), undefined, stack ? { stack } : undefined);
  }

  warn(message: unknown, context?: string): void {
    this.for(context).warn(String(message));
  }

  debug(message: unknown, context?: string): void {
    this.for(context).debug(String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.for(context).debug(String(message));
  }

  private for(context: string | undefined): Logger {
    const key = context ?? 'nest';
    let logger = this.loggers.get(key);
    if (!logger) {
      logger = new Logger(key);
      this.loggers.set(key, logger);
    }
    return logger;
  }
}
