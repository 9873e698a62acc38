import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';

/** A complete HTTP answer. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/**
 * The server ended the connection without a complete answer (`code`: ECONNRESET, EPIPE, …): what
 * a server may do to a sender whose body it refuses to read.
 */
export interface RawClosed {
  readonly closed: string;
  /** The status line, when the answer's head arrived before the connection ended. */
  readonly status?: number;
}

export type RawOutcome = RawAnswer | RawClosed;

export function isClosed(outcome: RawOutcome): outcome is RawClosed {
  return 'closed' in outcome;
}

export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: OutgoingHttpHeaders;
  /** One buffer, sent with its Content-Length unless `chunked`. */
  readonly body?: Uint8Array;
  /** Send the body with Transfer-Encoding: chunked (no Content-Length), in 64 KiB chunks. */
  readonly chunked?: boolean;
  /** Loopback source address, so failed-auth throttling of one caller does not touch another. */
  readonly from?: string;
  /** Rejects (a hang) when no complete answer or close arrives within this. */
  readonly timeoutMs?: number;
}

const chunkBytes = 64 * 1024;

/**
 * One request on its own connection with node:http, exactly as described (no fetch defaults, no
 * retries). Resolves with the answer, or with how the server closed the connection; rejects only
 * when nothing happened within `timeoutMs` (default 10 s).
 */
export function sendRaw(url: string, init: RawRequest): Promise<RawOutcome> {
  const timeoutMs = init.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    let status: number | undefined;
    let settled = false;
    const settle = (outcome: RawOutcome | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
      req.destroy();
    };
    const headers: OutgoingHttpHeaders = { ...init.headers };
    if (init.body !== undefined && !init.chunked && headers['content-length'] === undefined)
      headers['content-length'] = String(init.body.length);
    const req = httpRequest(
      new URL(init.path, url),
      {
        method: init.method ?? 'POST',
        headers,
        agent: false,
        ...(init.from === undefined ? {} : { localAddress: init.from }),
      },
      (res) => {
        status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          settle({ status: status ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', (error: NodeJS.ErrnoException) =>
          settle({ closed: error.code ?? error.message, ...(status === undefined ? {} : { status }) }),
        );
      },
    );
    const timer = setTimeout(
      () => settle(new Error(`no answer to ${init.method ?? 'POST'} ${init.path} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      settle({ closed: error.code ?? error.message, ...(status === undefined ? {} : { status }) }),
    );
    if (init.body === undefined) {
      req.end();
      return;
    }
    if (!init.chunked) {
      req.end(init.body);
      return;
    }
    void writeChunked(req, init.body);
  });
}

/** Writes `body` in chunks, waiting for drain; stops quietly when the request was destroyed. */
async function writeChunked(req: ReturnType<typeof httpRequest>, body: Uint8Array): Promise<void> {
  // A function, so the compiler does not narrow a property the socket's events change.
  const destroyed = () => req.destroyed;
  for (let offset = 0; offset < body.length && !destroyed(); offset += chunkBytes) {
    const more = req.write(body.subarray(offset, offset + chunkBytes));
    if (!more && !destroyed())
      await new Promise<void>((resolve) => {
        const done = () => {
          req.off('drain', done);
          req.off('close', done);
          resolve();
        };
        req.once('drain', done);
        req.once('close', done);
      });
  }
  if (!destroyed()) req.end();
}
