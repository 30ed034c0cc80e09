import { CliError, ExitCode, exitCodeOfStatus } from './errors';
import { describeProblem } from './problem';

export interface Connection {
  api: string;
  token: string | undefined;
}

export type QueryValue = string | number | boolean | undefined;
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  /** A JSON body. */
  json?: unknown;
  /** A text body sent as is, with its content type. */
  text?: { body: string; contentType: string };
}

export interface Answer<T> {
  status: number;
  body: T;
}

/** No answer at all: the API is down, restarting, or not where the connection says. */
export class UnreachableError extends CliError {
  constructor(
    readonly api: string,
    readonly reason: string,
  ) {
    super(`cannot reach Strata at ${api}: ${reason} (set --api, STRATA_API or run strata login)`, ExitCode.failed);
  }
}

/** An error answer of the API; its status decides the exit code. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(describeProblem(status, body), exitCodeOfStatus(status));
  }
}

interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

/** A list endpoint that answers a plain array: no cursor, so `all` cannot follow pages. */
export interface UnpagedList {
  /** The largest `limit` the endpoint accepts: what `all` asks for instead. */
  maxLimit: number;
  /** Told when `all` got as many items as it asked for: the list may hold more than it shows. */
  onCut: (limit: number) => void;
}

const isPage = (body: unknown): body is Page<unknown> => typeof body === 'object' && body !== null && Array.isArray((body as Page<unknown>).items);

/** Encodes each user-given path segment, so a name can never reach another route. */
export function apiPath(strings: TemplateStringsArray, ...segments: (string | number)[]): string {
  return strings.reduce((path, part, index) => path + part + (index < segments.length ? encodeURIComponent(String(segments[index])) : ''), '');
}

/** The management API over fetch: bearer token, JSON or text bodies, problem+json errors as ApiError. */
export class ApiClient {
  constructor(readonly connection: Connection) {}

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
    const url = new URL(path.replace(/^\//, ''), this.connection.api.endsWith('/') ? this.connection.api : `${this.connection.api}/`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (this.connection.token) headers['authorization'] = `Bearer ${this.connection.token}`;
    let body: string | undefined;
    if (options.text) {
      headers['content-type'] = options.text.contentType;
      body = options.text.body;
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { method, headers, body });
      // Inside the try: a connection dropped mid-answer is as unreachable as a refused one.
      text = await response.text();
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new UnreachableError(this.connection.api, cause?.code ?? cause?.message ?? String(error));
    }
    const parsed = parseBody(text, response.headers.get('content-type'));
    if (response.status === 401 && !this.connection.token) {
      throw new CliError(`401: no token given: pass --token, set STRATA_TOKEN or run strata login`, ExitCode.failed);
    }
    if (response.status >= 400) {
      throw new ApiError(response.status, parsed);
    }
    return { status: response.status, body: parsed as T };
  }

  get<T = unknown>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query }).then((answer) => answer.body);
  }

  /**
   * The items of a list endpoint, whether it answers a page (`{items, nextCursor}`) or a plain
   * array; with `all`, every page, following `nextCursor` as `after`. A plain array has no page to
   * follow: with `all`, an `unpaged` list is asked for its most at once, and told when it may hold more.
   */
  async list<T = unknown>(path: string, query: Query, all: boolean, unpaged?: UnpagedList): Promise<T[]> {
    const items: T[] = [];
    const asked = all && unpaged ? { ...query, limit: unpaged.maxLimit } : query;
    let after: string | undefined;
    do {
      const body = await this.get<unknown>(path, { ...asked, after });
      if (!isPage(body)) {
        if (!Array.isArray(body)) return [body as T];
        if (all && unpaged && body.length >= unpaged.maxLimit) unpaged.onCut(unpaged.maxLimit);
        return body as T[];
      }
      items.push(...(body.items as T[]));
      after = all && body.nextCursor ? body.nextCursor : undefined;
    } while (after);
    return items;
  }
}

function parseBody(text: string, contentType: string | null): unknown {
  if (text === '') return undefined;
  if (contentType && /json/.test(contentType)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
