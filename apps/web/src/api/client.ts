import type { ErrorBody, ErrorCode } from '@linkmesh/contracts/api';

/** A non-2xx answer from the API, carrying the server's `{error: {code, message, field?}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type UnauthenticatedListener = () => void;
let onUnauthenticated: UnauthenticatedListener = () => undefined;

/**
 * Registers what happens when any request (other than the login itself) answers 401: the app
 * drops its session and shows the login page.
 */
export function setUnauthenticatedListener(listener: UnauthenticatedListener): void {
  onUnauthenticated = listener;
}

const isErrorBody = (value: unknown): value is ErrorBody =>
  typeof value === 'object' &&
  value !== null &&
  'error' in value &&
  typeof value.error === 'object' &&
  value.error !== null &&
  'message' in value.error &&
  typeof value.error.message === 'string';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  json?: unknown;
  /** Sent as `If-Match`: the revision the edit started from, so a stale write answers 409. */
  ifMatch?: number;
  /** The login form handles its own 401 (bad password) instead of redirecting. */
  redirectOn401?: boolean;
}

/**
 * Calls `/api/v1<path>` with the session cookie and returns the parsed JSON body (undefined for
 * 204). The caller states the response type: the server validates its own replies.
 *
 * @example const page = await apiRequest<Page<CollectorView>>('/collectors');
 */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.ifMatch !== undefined) headers['if-match'] = String(options.ifMatch);
  const init: RequestInit = { method: options.method ?? 'GET', credentials: 'same-origin', headers };
  // Every body goes as JSON: the server refuses a cookie-authenticated write whose body is
  // anything else (CSRF check, decision 0013). Writes without a body send no Content-Type.
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.json);
  }
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, init);
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) return body as T;
  if (response.status === 401 && options.redirectOn401 !== false) onUnauthenticated();
  if (isErrorBody(body)) {
    const { code, message, field } = body.error;
    throw new ApiError(response.status, code, message, field);
  }
  throw new ApiError(response.status, 'internal', `The server answered ${response.status}.`);
}

/** A human sentence for any error a request can raise. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : 'Something went wrong.';
}
