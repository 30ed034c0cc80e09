const TOKEN_KEY = 'strata.token';

/** The bearer token lives in this tab's sessionStorage: gone when the tab closes, never in a cookie the API would accept unasked. */
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

/** An API answer that was not 2xx, with the problem+json detail when the API gave one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const authorization = (token: string | null): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/** The error of an answer that was not 2xx, saying the problem+json's title and detail when it has them. */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  const problem = (await response.json().catch(() => ({}))) as { title?: string; detail?: string };
  return new ApiError(response.status, `${response.status} ${problem.title ?? response.statusText}${problem.detail ? `: ${problem.detail}` : ''}`);
}

/** GET of the management API on this origin, as the signed-in user. */
export async function getJson<T>(path: string, token = session.token()): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json', ...authorization(token) } }).catch((error: unknown) => {
    // The browser's own words ("Failed to fetch", "NetworkError …") do not say what failed.
    throw new Error(`the API does not answer (${error instanceof Error ? error.message : String(error)}): this page reads again once the live stream is back`);
  });
  if (!response.ok) {
    throw await apiErrorOf(response);
  }
  return (await response.json()) as T;
}

export const query = (parameters: Record<string, string | number | undefined>): string => {
  const defined = Object.entries(parameters).filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '');
  return defined.length === 0 ? '' : `?${new URLSearchParams(defined.map(([key, value]) => [key, String(value)])).toString()}`;
};
