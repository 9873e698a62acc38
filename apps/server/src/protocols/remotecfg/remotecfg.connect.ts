import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  create,
  fromBinary,
  fromJson,
  toBinary,
  toJson,
  type DescMessage,
  type JsonValue,
} from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { codeToHttpStatus, errorToJson } from '@connectrpc/connect/protocol-connect';
import {
  GetConfigRequestSchema,
  GetConfigResponseSchema,
  RegisterCollectorRequestSchema,
  RegisterCollectorResponseSchema,
  UnregisterCollectorRequestSchema,
  UnregisterCollectorResponseSchema,
  type GetConfigRequest,
  type GetConfigResponse,
  type RegisterCollectorRequest,
} from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import type { FastifyInstance } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { CollectorAuth, CollectorAuthenticator } from '../../domain/fleet/collector-auth.ts';
import { inflateBounded, isBodyProblem, readBoundedBody } from '../http/bounded-body.ts';
import { jsonDepthProblem } from '../http/json-depth.ts';
import type { RawDone, RawRoutes } from '../http/raw-routes.ts';
import type { AlloyConfigAnswer, AlloyPoll } from '../../domain/remotecfg/alloy-poll.types.ts';
import { pollOf, type AuthenticatedCaller, type RemotecfgHandlers } from './remotecfg.routes.ts';

/** The one path of the fleet-volume call (every Alloy, every minute). */
export const getConfigPath = '/collector.v1.CollectorService/GetConfig';

export interface RemotecfgEndpointDeps {
  readonly handlers: RemotecfgHandlers;
  readonly auth: CollectorAuthenticator;
  readonly logger: Logger;
  /** Largest request body, before and after decompression (413 above). */
  readonly maxBodyBytes: number;
  /** Deepest JSON nesting accepted by the JSON codec (400 above). */
  readonly maxJsonDepth: number;
}

type Codec = 'proto' | 'json';

/** An HTTP answer, whichever server writes it. */
interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | string;
}

/** One request on the raw server objects. */
interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly ip: string;
  readonly outcome: RawDone;
}

interface UnaryMethod {
  readonly name: 'GetConfig' | 'RegisterCollector' | 'UnregisterCollector';
  readonly input: DescMessage;
  /** Runs the call for an authenticated collector; resolves to the response message. */
  call(deps: RemotecfgEndpointDeps, message: unknown, caller: AuthenticatedCaller): Promise<Answerable>;
}

/** A response message and its schema, for encoding in the request's codec. */
interface Answerable {
  readonly schema: DescMessage;
  readonly message: unknown;
}

const methods: readonly UnaryMethod[] = [
  {
    name: 'GetConfig',
    input: GetConfigRequestSchema,
    call: async (deps, message, caller) => ({
      schema: GetConfigResponseSchema,
      message: configResponse(await deps.handlers.getConfig(pollOf(message as GetConfigRequest), caller)),
    }),
  },
  {
    name: 'RegisterCollector',
    input: RegisterCollectorRequestSchema,
    call: async (deps, message, caller) => {
      await deps.handlers.registerCollector(message as RegisterCollectorRequest, caller);
      return { schema: RegisterCollectorResponseSchema, message: create(RegisterCollectorResponseSchema) };
    },
  },
  {
    name: 'UnregisterCollector',
    input: UnregisterCollectorRequestSchema,
    call: async (deps, _message, caller) => {
      await deps.handlers.unregisterCollector(caller);
      return {
        schema: UnregisterCollectorResponseSchema,
        message: create(UnregisterCollectorResponseSchema),
      };
    },
  },
];

/**
 * `collector.v1.CollectorService` over the Connect unary protocol (connectrpc.com/docs/protocol),
 * spoken directly for all three methods: POST, `application/proto` or `application/json`,
 * optional `Content-Encoding: gzip`; success is 200 in the same codec, errors are HTTP status +
 * Connect error JSON. It is what Alloy's connect-go client sends and accepts.
 *
 * Order per request (issue #9): method, content type, then the collector bearer from the
 * headers — a caller that fails it never has its body read — then the body, bounded before and
 * after decompression, a JSON depth check, and the decode (400 `invalid_argument` when it fails).
 * On the main server this runs from the raw `node:http` request ahead of Fastify (see
 * {@link RawRoutes}); a steady GetConfig poll is answered synchronously once its bytes are in.
 */
export class RemotecfgEndpoint {
  /**
   * The last binary GetConfig per bearer credential and what it decoded to: an Alloy with
   * nothing new sends the same bytes every poll, so a byte compare replaces the decode. Only
   * requests that authenticated are remembered; bounded in entries and bytes.
   */
  private readonly lastRequests = new LRUCache<string, { body: Buffer; poll: AlloyPoll }>({
    max: 200_000,
    maxSize: 128 * 1024 * 1024,
    sizeCalculation: (entry) => entry.body.length + 64,
  });

  constructor(private readonly deps: RemotecfgEndpointDeps) {}

  /** Serves the three methods on the main server's raw front door. */
  registerRaw(rawRoutes: RawRoutes): void {
    for (const method of methods) {
      rawRoutes.add(`/collector.v1.CollectorService/${method.name}`, (request, response, ip, outcome) => {
        this.serve(method, { request, response, ip, outcome });
      });
    }
  }

  /** The same answers as Fastify routes, for apps built without the raw front door (unit tests). */
  registerFastify(app: FastifyInstance): void {
    void app.register((scope, _options, done) => {
      scope.removeAllContentTypeParsers();
      // Leave the body unread: serve() reads it, after authentication.
      scope.addContentTypeParser('*', (_request, _payload, next) => {
        next(null);
      });
      for (const method of methods) {
        scope.route({
          method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
          url: `/collector.v1.CollectorService/${method.name}`,
          handler: (request, reply) => {
            void reply.hijack();
            this.serve(method, {
              request: request.raw,
              response: reply.raw,
              ip: request.ip,
              outcome: { done: () => undefined, fail: (error) => request.log.error(error) },
            });
          },
        });
      }
      done();
    });
  }

  private serve(method: UnaryMethod, exchange: Exchange): void {
    const { request } = exchange;
    if (request.method !== 'POST') {
      this.finish(
        exchange,
        errorAnswer(new ConnectError('use POST', Code.Unimplemented), 405, { allow: 'POST' }),
      );
      return;
    }
    const codec = codecOf(request.headers['content-type']);
    if (codec === undefined) {
      const error = new ConnectError(
        `unsupported content type ${String(request.headers['content-type'])}`,
        Code.Unknown,
      );
      this.finish(
        exchange,
        errorAnswer(error, 415, { 'accept-post': 'application/json, application/proto' }),
      );
      return;
    }
    const authorization = request.headers.authorization;
    const known = this.deps.auth.peek(authorization);
    if (known !== undefined) {
      this.receive(method, exchange, codec, { ...known, ip: exchange.ip });
      return;
    }
    this.deps.auth.authenticate(authorization, exchange.ip).then(
      (result) => {
        if (result.ok) this.receive(method, exchange, codec, { ...result, ip: exchange.ip });
        else this.finish(exchange, this.rejection(result, method.name, exchange.ip));
      },
      (error: unknown) => {
        exchange.outcome.fail(error);
      },
    );
  }

  /** Reads, bounds and decodes the body of an authenticated call, then answers it. */
  private receive(method: UnaryMethod, exchange: Exchange, codec: Codec, caller: AuthenticatedCaller): void {
    const { request } = exchange;
    readBoundedBody(request, request.headers['content-length'], this.deps.maxBodyBytes)
      .then(async (received) => {
        if (isBodyProblem(received))
          return this.finish(exchange, problemAnswer(received.status, received.message));
        const encoding = request.headers['content-encoding'];
        if (
          method.name === 'GetConfig' &&
          codec === 'proto' &&
          (encoding === undefined || encoding === 'identity')
        ) {
          // The steady poll: same bytes as last time, nothing to record: answered in this tick.
          const poll = this.decodeRemembered(received, caller);
          if (poll === undefined)
            return this.finish(exchange, invalidArgument('cannot decode GetConfigRequest'));
          if (this.deps.handlers.isSteadyPoll(poll, caller)) return this.finish(exchange, notModifiedProto);
          return this.finish(exchange, await this.answerPoll(poll, caller));
        }
        const body = await inflateBounded(received, encoding, this.deps.maxBodyBytes);
        if (isBodyProblem(body)) return this.finish(exchange, problemAnswer(body.status, body.message));
        const decoded = this.decode(method, codec, body);
        if (decoded instanceof ConnectError) return this.finish(exchange, errorAnswer(decoded));
        return this.finish(exchange, await this.answer(method, decoded, codec, caller));
      })
      .catch((error: unknown) => {
        exchange.outcome.fail(error);
      });
  }

  /** A binary GetConfig already decoded into its poll (the remembered path). */
  private async answerPoll(poll: AlloyPoll, caller: AuthenticatedCaller): Promise<Answer> {
    try {
      const reply = configResponse(await this.deps.handlers.getConfig(poll, caller));
      return {
        status: 200,
        headers: { 'content-type': 'application/proto' },
        body: Buffer.from(toBinary(GetConfigResponseSchema, reply)),
      };
    } catch (error) {
      return errorAnswer(ConnectError.from(error));
    }
  }

  private async answer(
    method: UnaryMethod,
    message: unknown,
    codec: Codec,
    caller: AuthenticatedCaller,
  ): Promise<Answer> {
    try {
      const { schema, message: reply } = await method.call(this.deps, message, caller);
      return {
        status: 200,
        headers: { 'content-type': `application/${codec}` },
        body:
          codec === 'proto'
            ? Buffer.from(toBinary(schema, reply as never))
            : JSON.stringify(toJson(schema, reply as never)),
      };
    } catch (error) {
      return errorAnswer(ConnectError.from(error));
    }
  }

  private decode(method: UnaryMethod, codec: Codec, body: Buffer): unknown {
    try {
      if (codec === 'proto') return fromBinary(method.input, body);
      const depthProblem = jsonDepthProblem(body, this.deps.maxJsonDepth);
      if (depthProblem !== undefined) throw new Error(depthProblem);
      return fromJson(
        method.input,
        JSON.parse(body.length === 0 ? '{}' : body.toString('utf8')) as JsonValue,
      );
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return new ConnectError(`cannot decode ${method.name}Request: ${detail}`, Code.InvalidArgument);
    }
  }

  /** Decodes a binary GetConfig into its poll, reusing the last one when the bytes did not change. */
  private decodeRemembered(body: Buffer, caller: AuthenticatedCaller): AlloyPoll | undefined {
    const last = this.lastRequests.get(caller.credentialId);
    if (last?.body.equals(body)) return last.poll;
    try {
      const poll = pollOf(fromBinary(GetConfigRequestSchema, body));
      this.lastRequests.set(caller.credentialId, { body: Buffer.from(body), poll });
      return poll;
    } catch {
      return undefined;
    }
  }

  private rejection(result: Exclude<CollectorAuth, { ok: true }>, method: string, ip: string): Answer {
    if (result.reason === 'throttled') {
      // Only unverified bearers from a failing address wait; Alloys already verified from behind
      // the same address (a shared NAT) carry on.
      this.deps.logger.debug(
        { ip, method, retryAfterSeconds: result.retryAfterSeconds },
        'remotecfg.auth: throttled',
      );
      return errorAnswer(
        new ConnectError('too many failed authentications from this address', Code.ResourceExhausted, {
          'retry-after': String(result.retryAfterSeconds),
        }),
      );
    }
    this.deps.logger.warn({ method, ip }, `remotecfg.auth: rejected reason=${result.reason}`);
    return errorAnswer(new ConnectError(rejectMessages[result.reason], Code.Unauthenticated));
  }

  private finish(exchange: Exchange, answer: Answer): void {
    const { request, response } = exchange;
    // A body we did not read to the end cannot be skipped cheaply: end the connection.
    writeAnswer(response, answer, !request.complete);
    exchange.outcome.done(answer.status);
  }
}

const rejectMessages: Record<Exclude<CollectorAuth, { ok: true }>['reason'], string> = {
  missing_or_malformed_bearer: 'missing or malformed Authorization: Bearer header',
  token_unknown_or_revoked_or_expired: 'bearer token unknown, revoked or expired',
  collector_deregistered: 'collector deregistered',
  throttled: 'too many failed authentications from this address',
};

function writeAnswer(response: ServerResponse, answer: Answer, closeAfter: boolean): void {
  if (answer === notModifiedProto && !closeAfter) {
    // The steady answer: headers prepared once (a flat [name, value, …] list).
    response.writeHead(200, notModifiedHeaders);
    response.end(notModifiedProto.body);
    return;
  }
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
  response.writeHead(answer.status, {
    ...answer.headers,
    'content-length': String(body.length),
    ...(closeAfter ? { connection: 'close' } : {}),
  });
  response.end(body);
}

function codecOf(contentType: string | undefined): Codec | undefined {
  if (contentType === 'application/proto') return 'proto'; // what connect-go sends, verbatim
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (type === 'application/proto') return 'proto';
  if (type === 'application/json') return 'json';
  return undefined;
}

function invalidArgument(message: string): Answer {
  return errorAnswer(new ConnectError(message, Code.InvalidArgument));
}

/** A body problem (bounded-body.ts) as a Connect error. */
function problemAnswer(status: 400 | 413 | 415, message: string): Answer {
  const code = status === 413 ? Code.ResourceExhausted : status === 415 ? Code.Unknown : Code.InvalidArgument;
  return errorAnswer(new ConnectError(message, code), status);
}

function configResponse(answer: AlloyConfigAnswer): GetConfigResponse {
  return create(
    GetConfigResponseSchema,
    answer.notModified ? { notModified: true } : { content: answer.content, hash: answer.hash },
  );
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
