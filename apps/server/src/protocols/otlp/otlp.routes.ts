import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { BearerCache } from '../../domain/fleet/bearer-cache.ts';
import { FailureThrottle } from '../../domain/shared/failure-throttle.ts';
import type { Clock } from '../../domain/shared/clock.ts';
import { DomainError } from '../../domain/shared/errors.ts';
import type { DecodedMetrics } from '../../domain/telemetry/metric-point.ts';
import { wantsMetric } from '../../domain/telemetry/self-metric-names.ts';
import type { SelfTelemetryIngest } from '../../domain/telemetry/self-telemetry.ingest.ts';
import { OtlpDecodeError } from './otlp-decode.common.ts';
import { decodeMetricsJson } from './otlp-json.decoder.ts';
import { decodeMetricsProtobuf } from './otlp-protobuf.decoder.ts';
import {
  encodeExportMetricsResponseJson,
  encodeExportMetricsResponseProtobuf,
  encodeStatusJson,
  encodeStatusProtobuf,
  partialSuccessOf,
} from './otlp-response.codec.ts';

export interface OtlpRouteDeps {
  readonly bearers: BearerCache;
  readonly ingest: SelfTelemetryIngest;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Largest body accepted after decompression (and before: a compressed body is never larger). */
  readonly maxBodyBytes: number;
}

type Encoding = 'protobuf' | 'json';

declare module 'fastify' {
  interface FastifyRequest {
    otlpCollectorId?: string;
  }
}

/** google.rpc.Code values used in failure bodies. */
const rpcCode = {
  invalidArgument: 3,
  notFound: 5,
  resourceExhausted: 8,
  unimplemented: 12,
  unauthenticated: 16,
};

const gunzipAsync = promisify(gunzip);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Failed authentications per source address before that address must wait (per minute). */
const authFailuresBeforeThrottle = 30;

/**
 * `POST /v1/metrics`: OTLP/HTTP self-telemetry. The route only authenticates, decodes and
 * validates, then hands the points to the ingest service. Checks run in the order the
 * troubleshooting page documents, each with its log line: bearer present and well formed, bearer
 * verifies, its collector still exists, then the body (400/413/415).
 */
export function registerOtlpRoutes(app: FastifyInstance, deps: OtlpRouteDeps): void {
  const throttle = new FailureThrottle(deps.clock, {
    maxFailures: authFailuresBeforeThrottle,
    windowMs: 60_000,
    maxKeys: 50_000,
  });

  void app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes },
      (_request, body, next) => {
        next(null, body);
      },
    );

    scope.setErrorHandler(async (error: FastifyError, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status === 413) {
        return sendStatus(
          reply,
          encodingOf(request),
          413,
          rpcCode.resourceExhausted,
          `request body exceeds ${deps.maxBodyBytes} bytes`,
        );
      }
      if (status >= 400 && status < 500)
        return sendStatus(reply, encodingOf(request), status, rpcCode.invalidArgument, error.message);
      deps.logger.error({ err: error }, 'otlp.error: unhandled');
      return sendStatus(reply, encodingOf(request), 500, 13, 'internal error');
    });

    scope.route({
      method: 'POST',
      url: '/v1/metrics',
      onRequest: (request, reply) => authenticate(request, reply, deps, throttle),
      handler: (request, reply) => handlePush(request, reply, deps),
    });

    scope.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      url: '/v1/metrics',
      exposeHeadRoute: false,
      handler: (request, reply) =>
        sendStatus(
          reply.header('allow', 'POST'),
          encodingOf(request),
          405,
          rpcCode.unimplemented,
          `method ${request.method} not allowed; use POST`,
        ),
    });
    done();
  });
}

async function authenticate(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: OtlpRouteDeps,
  throttle: FailureThrottle,
): Promise<void> {
  const encoding = encodingOf(request);
  const authorization = request.headers.authorization;
  const throttleKey = request.ip;
  const waitSeconds = throttle.retryAfterSeconds(throttleKey);
  if (waitSeconds > 0 && !deps.bearers.isCached(authorization)) {
    // Only unverified bearers from a failing address wait; collectors already verified from
    // behind the same address (a shared NAT) carry on.
    deps.logger.debug({ ip: request.ip, retryAfterSeconds: waitSeconds }, 'otlp.auth: throttled');
    await sendStatus(
      reply.header('retry-after', String(waitSeconds)),
      encoding,
      429,
      rpcCode.resourceExhausted,
      'too many failed authentications from this address',
    );
    return;
  }
  const verification = await deps.bearers.verify(authorization);
  if (!verification.ok) {
    throttle.recordFailure(throttleKey);
    deps.logger.warn(
      { ip: request.ip, path: '/v1/metrics' },
      `otlp.auth: rejected reason=${verification.reason}`,
    );
    await sendStatus(
      reply.header('www-authenticate', 'Bearer'),
      encoding,
      401,
      rpcCode.unauthenticated,
      verification.reason === 'missing_or_malformed_bearer'
        ? 'missing or malformed Authorization: Bearer header'
        : 'bearer token unknown, revoked or expired',
    );
    return;
  }
  if (!(await deps.bearers.isLive(verification.collectorId))) {
    logUnknownCollector(deps, request, verification.collectorId);
    await sendStatus(
      reply,
      encoding,
      404,
      rpcCode.notFound,
      'unknown collectorId: this collector was deregistered; re-enrol it',
    );
    return;
  }
  request.otlpCollectorId = verification.collectorId;
}

async function handlePush(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: OtlpRouteDeps,
): Promise<FastifyReply> {
  const collectorId = request.otlpCollectorId;
  const encoding = mediaEncoding(request.headers['content-type']);
  if (collectorId === undefined) throw new Error('authenticate() runs before the handler');
  if (encoding === undefined) {
    return sendStatus(
      reply,
      'protobuf',
      415,
      rpcCode.invalidArgument,
      'Content-Type must be application/x-protobuf or application/json',
    );
  }
  const raw = request.body;
  if (!Buffer.isBuffer(raw))
    return sendStatus(reply, encoding, 400, rpcCode.invalidArgument, 'request body is empty');

  let body: Buffer;
  const contentEncoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (contentEncoding === 'gzip') {
    try {
      body = await gunzipAsync(raw, { maxOutputLength: deps.maxBodyBytes });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        return sendStatus(
          reply,
          encoding,
          413,
          rpcCode.resourceExhausted,
          `decompressed body exceeds ${deps.maxBodyBytes} bytes`,
        );
      }
      return sendStatus(
        reply,
        encoding,
        400,
        rpcCode.invalidArgument,
        `invalid gzip body: ${(error as Error).message}`,
      );
    }
  } else if (contentEncoding === 'identity') {
    body = raw;
  } else {
    return sendStatus(
      reply,
      encoding,
      415,
      rpcCode.invalidArgument,
      `Content-Encoding ${contentEncoding} is not supported; use gzip or none`,
    );
  }

  let decoded: DecodedMetrics;
  try {
    decoded =
      encoding === 'protobuf'
        ? decodeMetricsProtobuf(body, { wants: wantsMetric })
        : decodeMetricsJson(utf8.decode(body), { wants: wantsMetric });
  } catch (error) {
    if (error instanceof OtlpDecodeError || error instanceof TypeError || error instanceof SyntaxError) {
      deps.logger.debug({ collectorId, err: (error as Error).message }, 'otlp.decode: rejected');
      return sendStatus(
        reply,
        encoding,
        400,
        rpcCode.invalidArgument,
        `cannot decode ExportMetricsServiceRequest: ${(error as Error).message}`,
      );
    }
    throw error;
  }

  try {
    await deps.ingest.accept(collectorId, decoded);
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'not_found') {
      logUnknownCollector(deps, request, collectorId);
      return sendStatus(
        reply,
        encoding,
        404,
        rpcCode.notFound,
        'unknown collectorId: this collector was deregistered; re-enrol it',
      );
    }
    if (error instanceof DomainError && error.kind === 'rate_limited') {
      return sendStatus(
        reply.header('retry-after', String(error.retryAfterSeconds ?? 5)),
        encoding,
        429,
        rpcCode.resourceExhausted,
        error.message,
      );
    }
    throw error;
  }

  const partial = partialSuccessOf(decoded);
  return encoding === 'protobuf'
    ? reply
        .code(200)
        .type('application/x-protobuf')
        .send(Buffer.from(encodeExportMetricsResponseProtobuf(partial)))
    : reply.code(200).type('application/json').send(encodeExportMetricsResponseJson(partial));
}

function logUnknownCollector(deps: OtlpRouteDeps, request: FastifyRequest, collectorId: string): void {
  deps.logger.warn({ ip: request.ip, collectorId }, 'otlp.dispatch: unknown collectorId');
}

/** The OTLP encoding named by a Content-Type (parameters such as charset ignored). */
function mediaEncoding(contentType: string | undefined): Encoding | undefined {
  const media = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (media === 'application/x-protobuf') return 'protobuf';
  if (media === 'application/json') return 'json';
  return undefined;
}

/** Failure bodies follow the request's encoding; protobuf when it named neither. */
function encodingOf(request: FastifyRequest): Encoding {
  return mediaEncoding(request.headers['content-type']) ?? 'protobuf';
}

function sendStatus(
  reply: FastifyReply,
  encoding: Encoding,
  httpStatus: number,
  code: number,
  message: string,
): FastifyReply {
  return encoding === 'protobuf'
    ? reply
        .code(httpStatus)
        .type('application/x-protobuf')
        .send(Buffer.from(encodeStatusProtobuf({ code, message })))
    : reply.code(httpStatus).type('application/json').send(encodeStatusJson({ code, message }));
}
