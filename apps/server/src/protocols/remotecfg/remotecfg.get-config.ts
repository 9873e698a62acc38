import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { create, fromBinary, fromJson, toBinary, toJson, type JsonValue } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { codeToHttpStatus, errorToJson } from '@connectrpc/connect/protocol-connect';
import {
  GetConfigRequestSchema,
  GetConfigResponseSchema,
  type GetConfigRequest,
} from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import type { FastifyInstance } from 'fastify';
import type { RawDone, RawRoutes } from '../http/raw-routes.ts';
import type { Caller, RemotecfgHandlers } from './remotecfg.routes.ts';

const gunzipAsync = promisify(gunzip);

/** The one path this module serves. */
export const getConfigPath = '/collector.v1.CollectorService/GetConfig';

/** Alloy's requests are small; the effective config it may attach is the largest part. */
export const maxGetConfigRequestBytes = 8 * 1024 * 1024;

type Codec = 'proto' | 'json';

/** An HTTP answer, whichever server writes it. */
interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | string;
}

/** What the answer depends on from the request. */
interface GetConfigCall {
  readonly method: string;
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
  readonly caller: Caller;
  readonly body: Buffer;
}

/**
 * `GetConfig` over the Connect unary protocol (connectrpc.com/docs/protocol), spoken directly:
 * POST, `application/proto` or `application/json`, optional `Content-Encoding: gzip`; success is
 * HTTP 200 with the same content type; errors are HTTP status + Connect error JSON. It is what
 * Alloy's connect-go client sends and accepts. Every Alloy calls it every minute, so it skips the
 * generic adapter (per-request streams and AbortSignals: ~8× the cost of a bare answer) and, on
 * the main server, Fastify's routing and hooks too (see {@link RawRoutes}).
 */
export async function answerGetConfig(call: GetConfigCall, handlers: RemotecfgHandlers): Promise<Answer> {
  if (call.method !== 'POST')
    return errorAnswer(new ConnectError('use POST', Code.Unimplemented), 405, { allow: 'POST' });
  const codec = codecOf(call.contentType);
  if (codec === undefined) {
    return errorAnswer(
      new ConnectError(`unsupported content type ${String(call.contentType)}`, Code.Unknown),
      415,
      { 'accept-post': 'application/json, application/proto' },
    );
  }
  let message: GetConfigRequest;
  try {
    message = decodeRemembered(codec, await inflate(call.body, call.contentEncoding), call.caller);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return errorAnswer(new ConnectError(`cannot decode GetConfigRequest: ${detail}`, Code.InvalidArgument));
  }
  if (codec === 'proto' && handlers.steadyPoll(message, call.caller) !== undefined) return notModifiedProto;
  try {
    const answer = create(GetConfigResponseSchema, await handlers.getConfig(message, call.caller));
    return {
      status: 200,
      headers: { 'content-type': `application/${codec}` },
      body:
        codec === 'proto'
          ? Buffer.from(toBinary(GetConfigResponseSchema, answer))
          : JSON.stringify(toJson(GetConfigResponseSchema, answer)),
    };
  } catch (error) {
    return errorAnswer(ConnectError.from(error));
  }
}

/**
 * Serves GetConfig on the main server from the raw `node:http` request, ahead of Fastify; keeps
 * the request metrics and the `http.request` debug line the Fastify hooks would have written.
 */
export function registerRawGetConfig(rawRoutes: RawRoutes, handlers: RemotecfgHandlers): void {
  rawRoutes.add(getConfigPath, (request, response, ip, outcome) => {
    readBody(
      request,
      maxGetConfigRequestBytes,
      // Runs in an event listener: a throw here must end this request, not the process.
      (body) => {
        try {
          answerRaw(handlers, { request, response, ip, outcome }, body);
        } catch (error) {
          outcome.fail(error);
        }
      },
      (error) => {
        outcome.fail(error);
      },
    );
  });
}

interface RawExchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly ip: string;
  readonly outcome: RawDone;
}

function answerRaw(handlers: RemotecfgHandlers, exchange: RawExchange, body: Buffer | 'too_large'): void {
  const { request, response, outcome } = exchange;
  if (body === 'too_large') {
    const answer = errorAnswer(
      new ConnectError(`request exceeds ${maxGetConfigRequestBytes} bytes`, Code.ResourceExhausted),
      413,
    );
    writeAnswer(response, answer, true);
    outcome.done(answer.status);
    return;
  }
  const call: GetConfigCall = {
    method: request.method ?? 'GET',
    contentType: request.headers['content-type'],
    contentEncoding: request.headers['content-encoding'],
    caller: { authorization: request.headers.authorization, ip: exchange.ip },
    body,
  };
  // The steady poll is answered in the same tick; the rest goes the asynchronous way.
  const steady = steadyAnswer(call, handlers);
  if (steady !== undefined) {
    writeAnswer(response, steady, false);
    outcome.done(steady.status);
    return;
  }
  answerGetConfig(call, handlers)
    .then((answer) => {
      writeAnswer(response, answer, false);
      outcome.done(answer.status);
    })
    .catch((error: unknown) => {
      outcome.fail(error);
    });
}

/**
 * The `not_modified` answer to a binary poll that changes nothing (see
 * `RemotecfgHandlers.steadyPoll`), or undefined. Synchronous: no await between the last byte
 * in and the answer out.
 */
function steadyAnswer(call: GetConfigCall, handlers: RemotecfgHandlers): Answer | undefined {
  if (call.method !== 'POST' || codecOf(call.contentType) !== 'proto' || call.contentEncoding !== undefined)
    return undefined;
  let message: GetConfigRequest;
  try {
    message = decodeRemembered('proto', call.body, call.caller);
  } catch {
    return undefined; // the full path answers with the decode error
  }
  return handlers.steadyPoll(message, call.caller) === undefined ? undefined : notModifiedProto;
}

/** The same answers as a Fastify route, for apps built without the raw front door (unit tests). */
export function registerGetConfigRoute(app: FastifyInstance, handlers: RemotecfgHandlers): void {
  void app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: maxGetConfigRequestBytes },
      (_request, body, next) => {
        next(null, body);
      },
    );
    scope.route({
      method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
      url: getConfigPath,
      handler: async (request, reply) => {
        const answer = await answerGetConfig(
          {
            method: request.method,
            contentType: request.headers['content-type'],
            contentEncoding: request.headers['content-encoding'],
            caller: { authorization: request.headers.authorization, ip: request.ip },
            body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          },
          handlers,
        );
        return reply.code(answer.status).headers(answer.headers).send(answer.body);
      },
    });
    done();
  });
}

function writeAnswer(response: ServerResponse, answer: Answer, closeAfter: boolean): void {
  if (answer === notModifiedProto) {
    // The steady answer: headers prepared once (a flat [name, value, …] list).
    response.writeHead(200, notModifiedHeaders);
    response.end(notModifiedProto.body);
    return;
  }
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
  response.writeHead(answer.status, {
    ...answer.headers,
    'content-length': String(body.length),
    // An unread oversized body cannot be skipped cheaply: end the connection.
    ...(closeAfter ? { connection: 'close' } : {}),
  });
  response.end(body);
}

/** Calls `done` with the request body, or 'too_large' past `limitBytes` (the rest is not read). */
function readBody(
  request: IncomingMessage,
  limitBytes: number,
  done: (body: Buffer | 'too_large') => void,
  fail: (error: unknown) => void,
): void {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limitBytes) {
    done('too_large');
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  request.on('data', (chunk: Buffer) => {
    if (received < 0) return;
    received += chunk.length;
    if (received > limitBytes) {
      received = -1;
      request.pause();
      done('too_large');
      return;
    }
    chunks.push(chunk);
  });
  request.on('end', () => {
    if (received < 0) return;
    done(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, received));
  });
  request.on('error', fail);
}

function codecOf(contentType: string | undefined): Codec | undefined {
  if (contentType === 'application/proto') return 'proto'; // what connect-go sends, verbatim
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (type === 'application/proto') return 'proto';
  if (type === 'application/json') return 'json';
  return undefined;
}

async function inflate(body: Buffer, contentEncoding: string | undefined): Promise<Buffer> {
  const encoding = contentEncoding?.trim().toLowerCase();
  if (encoding === undefined || encoding === '' || encoding === 'identity') return body;
  if (encoding !== 'gzip') throw new Error(`content-encoding ${encoding} is not supported (gzip is)`);
  return gunzipAsync(body, { maxOutputLength: maxGetConfigRequestBytes });
}

/** The `not_modified` answer in the binary codec, encoded once. */
const notModifiedProto: Answer = {
  status: 200,
  headers: { 'content-type': 'application/proto' },
  body: Buffer.from(
    toBinary(GetConfigResponseSchema, create(GetConfigResponseSchema, { notModified: true })),
  ),
};

const notModifiedHeaders = [
  'content-type',
  'application/proto',
  'content-length',
  String(notModifiedProto.body.length),
];

/**
 * The last binary request per bearer and what it decoded to: an Alloy with nothing new sends the
 * same bytes every poll (id, hash, attributes), so a byte compare replaces the decode. Decoded
 * messages are never mutated.
 */
const lastRequests = new Map<string, { body: Buffer; message: GetConfigRequest }>();
const lastRequestsMax = 200_000;

function decodeRemembered(codec: Codec, body: Buffer, caller: Caller): GetConfigRequest {
  const key = caller.authorization;
  if (codec !== 'proto' || key === undefined) return decode(codec, body);
  const last = lastRequests.get(key);
  if (last?.body.equals(body)) return last.message;
  const message = decode(codec, body);
  if (lastRequests.size >= lastRequestsMax && last === undefined) lastRequests.clear();
  lastRequests.set(key, { body: Buffer.from(body), message });
  return message;
}

function decode(codec: Codec, body: Buffer): GetConfigRequest {
  if (codec === 'proto') return fromBinary(GetConfigRequestSchema, body);
  return fromJson(
    GetConfigRequestSchema,
    JSON.parse(body.length === 0 ? '{}' : body.toString('utf8')) as JsonValue,
  );
}

/** A Connect error: its HTTP status (or `status`), JSON body, and its metadata as headers (Retry-After). */
function errorAnswer(
  error: ConnectError,
  status = codeToHttpStatus(error.code),
  extraHeaders: Record<string, string> = {},
): Answer {
  const headers: Record<string, string> = { ...extraHeaders, 'content-type': 'application/json' };
  error.metadata.forEach((value, key) => {
    headers[key] = value;
  });
  return { status, headers, body: JSON.stringify(errorToJson(error, undefined)) };
}
