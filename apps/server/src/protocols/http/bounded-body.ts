import type { Readable } from 'node:stream';
import type { FastifyContentTypeParser, FastifyRequest } from 'fastify';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

/** Why a body was not accepted, with the HTTP status an adapter answers. */
export interface BodyProblem {
  readonly status: 400 | 413 | 415;
  readonly message: string;
}

/**
 * Reads a request body of at most `limitBytes`: a declared Content-Length above the limit is
 * refused before a byte is read, and a chunked body is cut at the limit (the rest is never
 * buffered; the caller answers with `Connection: close`). Resolves to the bytes or a 413.
 *
 * @example
 * const body = await readBoundedBody(request, request.headers['content-length'], 4 << 20);
 * if (!Buffer.isBuffer(body)) return answer(body.status, body.message);
 */
export function readBoundedBody(
  stream: Readable,
  declaredLength: string | undefined,
  limitBytes: number,
): Promise<Buffer | BodyProblem> {
  const tooLarge: BodyProblem = { status: 413, message: `request body exceeds ${limitBytes} bytes` };
  if (declaredLength !== undefined && Number(declaredLength) > limitBytes) {
    stream.resume(); // discard, never buffer; the connection is closed after the answer
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) {
        stream.off('data', onData);
        chunks.length = 0;
        stream.resume();
        resolve(tooLarge);
        return;
      }
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => {
      if (received <= limitBytes)
        resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, received));
    });
    stream.once('error', reject);
  });
}

/**
 * Undoes `Content-Encoding` (identity or gzip) with the output bounded: zlib stops inflating at
 * `maxBytes`, so a gzip bomb costs at most that much memory and its own compressed size.
 */
export async function inflateBounded(
  body: Buffer,
  contentEncoding: string | undefined,
  maxBytes: number,
): Promise<Buffer | BodyProblem> {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return body;
  if (encoding !== 'gzip')
    return { status: 415, message: `Content-Encoding ${encoding} is not supported; use gzip or none` };
  try {
    return await gunzipAsync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      return { status: 413, message: `decompressed body exceeds ${maxBytes} bytes` };
    return { status: 400, message: `invalid gzip body: ${(error as Error).message}` };
  }
}

export function isBodyProblem(value: Buffer | BodyProblem): value is BodyProblem {
  return !Buffer.isBuffer(value);
}

/** What a body that could not be read becomes: an error Fastify's error handler answers. */
export class BodyError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

function isGzip(request: FastifyRequest): boolean {
  return (request.headers['content-encoding'] ?? '').trim().toLowerCase() === 'gzip';
}

/**
 * A Fastify content-type parser (register it in the route's scope, after authentication in
 * `onRequest`) that reads the body with {@link readBoundedBody}: a gzip body is capped as sent
 * at `compressedBytes` (it is capped again as it inflates, by {@link inflateBounded}), any other
 * at `plainBytes`. An over-long body fails with a 413 {@link BodyError}.
 *
 * @example
 * scope.addContentTypeParser('*', boundedBodyParser({ compressedBytes: 4 << 20, plainBytes: 16 << 20 }));
 */
export function boundedBodyParser(limits: {
  readonly compressedBytes: number;
  readonly plainBytes: number;
}): FastifyContentTypeParser {
  return (request, payload, done) => {
    const limitBytes = isGzip(request) ? limits.compressedBytes : limits.plainBytes;
    readBoundedBody(payload, request.headers['content-length'], limitBytes).then(
      (body) => {
        if (isBodyProblem(body)) done(new BodyError(body.status, body.message), undefined);
        else done(null, body);
      },
      (error: unknown) => {
        done(error as Error, undefined);
      },
    );
  };
}
