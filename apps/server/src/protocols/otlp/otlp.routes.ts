import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { CollectorAuthenticator } from '../../domain/fleet/collector-auth.ts';
import { DomainError } from '../../domain/shared/errors.ts';
import type { DecodedMetrics } from '../../domain/telemetry/metric-point.ts';
import { wantsMetric } from '../../domain/telemetry/self-metric-names.ts';
import type { SelfTelemetryIngest } from '../../domain/telemetry/self-telemetry.ingest.ts';
import { boundedBodyParser, inflateBounded, isBodyProblem } from '../http/bounded-body.ts';
import { jsonDepthProblem } from '../http/json-depth.ts';
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
  /** Collector-bearer authentication, from the headers, before the body is read. */
  readonly auth: CollectorAuthenticator;
  readonly ingest: SelfTelemetryIngest;
  readonly logger: Logger;
  /** Largest body accepted after decompression (and as sent, when not compressed). */
  readonly maxBodyBytes: number;
  /** Largest gzip body accepted as sent, before decompression. */
  readonly maxCompressedBodyBytes: number;
  /** Deepest JSON nesting accepted in an OTLP/JSON body. */
  readonly maxJsonDepth: number;
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
  unavailable: 14,
  unauthenticated: 16,
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `POST /v1/metrics`: OTLP/HTTP self-telemetry. The route only authenticates, decodes and
 * validates, then hands the points to the ingest service. Checks run in the order the
 * troubleshooting page documents, each with its log line: bearer present and well formed, bearer
 * verifies, its collector still exists, then the body (400/413/415).
 */
export function registerOtlpRoutes(app: FastifyInstance, deps: OtlpRouteDeps): void {
  void app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    // Runs after authentication (onRequest). A gzip body is capped as sent, and again as it
    // inflates (handlePush); a plain one at the decompressed cap.
    scope.addContentTypeParser(
      '*',
      boundedBodyParser({ compressedBytes: deps.maxCompressedBodyBytes, plainBytes: deps.maxBodyBytes }),
    );

    scope.setErrorHandler(async (error: FastifyError, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status === 413) {
        return sendStatus(
          reply.header('connection', 'close'),
          encodingOf(request),
          413,
          rpcCode.resourceExhausted,
          error.message,
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
      onRequest: (request, reply) => authenticate(request, reply, deps),
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
): Promise<void> {
  const encoding = encodingOf(request);
  const result = await deps.auth.authenticate(request.headers.authorization, request.ip, 'telemetry');
  if (result.ok) {
    request.otlpCollectorId = result.collectorId;
    return;
  }
  // The body is never read for a refused push: close instead of draining it.
  void reply.header('connection', 'close');
  if (result.reason === 'throttled') {
    deps.logger.debug(
      { ip: request.ip, retryAfterSeconds: result.retryAfterSeconds },
      'otlp.auth: throttled',
    );
    await sendStatus(
      reply.header('retry-after', String(result.retryAfterSeconds)),
      encoding,
      429,
      rpcCode.resourceExhausted,
      'too many failed authentications from this address',
    );
    return;
  }
  if (result.reason === 'collector_deregistered') {
    logUnknownCollector(deps, request, result.collectorId);
    await sendStatus(
      reply,
      encoding,
      404,
      rpcCode.notFound,
      'unknown collectorId: this collector was deregistered; re-enrol it',
    );
    return;
  }
  deps.logger.warn({ ip: request.ip, path: '/v1/metrics' }, `otlp.auth: rejected reason=${result.reason}`);
  await sendStatus(
    reply.header('www-authenticate', 'Bearer'),
    encoding,
    401,
    rpcCode.unauthenticated,
    result.reason === 'missing_or_malformed_bearer'
      ? 'missing or malformed Authorization: Bearer header'
      : 'bearer token unknown, revoked or expired',
  );
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

  const body = await inflateBounded(raw, request.headers['content-encoding'], deps.maxBodyBytes);
  if (isBodyProblem(body)) {
    const code = body.status === 413 ? rpcCode.resourceExhausted : rpcCode.invalidArgument;
    return sendStatus(reply, encoding, body.status, code, body.message);
  }
  if (encoding === 'json') {
    const depthProblem = jsonDepthProblem(body, deps.maxJsonDepth);
    if (depthProblem !== undefined)
      return sendStatus(reply, encoding, 400, rpcCode.invalidArgument, depthProblem);
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
    if (error instanceof DomainError && error.kind === 'unavailable') {
      // Not committed: the collector keeps the data and retries (OTLP retryable status).
      return sendStatus(
        reply.header('retry-after', String(error.retryAfterSeconds ?? 5)),
        encoding,
        503,
        rpcCode.unavailable,
        error.message,
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
