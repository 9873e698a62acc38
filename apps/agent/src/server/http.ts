/** What went wrong talking to the server, in words an operator can act on. */
export type HttpFailure =
  | { readonly kind: 'unreachable'; readonly message: string }
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly code: string | null;
      readonly message: string;
    }
  | { readonly kind: 'invalid_answer'; readonly status: number; readonly message: string };

/** POSTs JSON; resolves to the response or an `unreachable` failure (DNS, refused, TLS, timeout). */
export async function postJson(
  url: string,
  body: unknown,
  options: { bearer?: string; timeoutMs: number },
): Promise<Response | HttpFailure> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
  try {
    return await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    return { kind: 'unreachable', message: describeFetchError(error) };
  }
}

/** The server answers errors as `{error: {code, message}}`; anything else is reported by status. */
export async function statusFailure(response: Response): Promise<HttpFailure> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof parsed.error?.code === 'string' ? parsed.error.code : null;
    const message = typeof parsed.error?.message === 'string' ? parsed.error.message : text.slice(0, 200);
    return { kind: 'status', status: response.status, code, message };
  } catch {
    return { kind: 'status', status: response.status, code: null, message: text.slice(0, 200) };
  }
}

export function isFailure(value: Response | HttpFailure): value is HttpFailure {
  return !(value instanceof Response);
}

/** undici hides the useful part (ECONNREFUSED, ENOTFOUND, cert errors) in `cause`. */
function describeFetchError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
