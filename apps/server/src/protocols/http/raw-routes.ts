import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { FastHistogramChild } from '../../platform/fast-histogram.ts';
import type { ServerMetrics } from '../../platform/metrics.ts';

/** Tells the front door a raw request is finished: its status, or the error that ended it. */
export interface RawDone {
  done(status: number): void;
  fail(error: unknown): void;
}

/** Handles one request on the raw server objects and calls `outcome.done` (or `fail`) once. */
export type RawHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  ip: string,
  outcome: RawDone,
) => void;

/**
 * Paths answered from the raw `node:http` request before Fastify sees it. Only for fleet-volume
 * protocol calls whose cost per request matters (Alloy's GetConfig poll from every collector):
 * Fastify's routing, hooks and reply pipeline cost more than the answer itself. Everything else
 * goes through Fastify. Each raw request still counts in the HTTP metrics and logs
 * `http.request` at debug, as the Fastify hook would.
 */
export class RawRoutes {
  private readonly handlers = new Map<string, RawHandler>();
  private readonly durations = new Map<string, FastHistogramChild>();

  constructor(
    private readonly deps: {
      metrics: ServerMetrics;
      logger: Logger;
      /** The client address as Fastify would report it (trusted proxies honoured). */
      clientIp: (request: IncomingMessage) => string;
    },
  ) {}

  add(path: string, handler: RawHandler): void {
    this.handlers.set(path, handler);
  }

  /** Serves the request when its path is a raw route; false hands it to Fastify. */
  dispatch(request: IncomingMessage, response: ServerResponse): boolean {
    const handler = this.handlers.get(request.url ?? '');
    if (handler === undefined) return false;
    const startedNs = process.hrtime.bigint();
    const path = request.url ?? '';
    const ip = this.deps.clientIp(request);
    const outcome = new RawOutcome(this, request.method ?? 'GET', path, startedNs, ip, response);
    try {
      handler(request, response, ip, outcome);
    } catch (error) {
      outcome.fail(error);
    }
    return true;
  }

  logError(error: unknown, path: string): void {
    this.deps.logger.error({ err: error, path }, 'http.error: unhandled');
  }

  /** Counts a finished raw request and logs it at debug. */
  observe(method: string, path: string, status: number, startedNs: bigint, ip: string): void {
    const durationMs = Number(process.hrtime.bigint() - startedNs) / 1e6;
    this.deps.metrics.countFastPathRequest(method, path, status);
    const seriesKey = `${method} ${path}`;
    let duration = this.durations.get(seriesKey);
    if (duration === undefined) {
      duration = this.deps.metrics.httpFastPathDuration.child([method, path]);
      if (this.durations.size < 100) this.durations.set(seriesKey, duration);
    }
    duration.observe(durationMs / 1000);
    if (this.deps.logger.isLevelEnabled('debug')) {
      this.deps.logger.debug(
        { method, path, route: path, status, durationMs: Math.round(durationMs * 10) / 10, ip },
        'http.request',
      );
    }
  }
}

/**
 * One raw request's completion. A class, not closures: per-request closures showed up in the
 * profile (each named function costs a `__name` call under the tsx runtime).
 */
class RawOutcome implements RawDone {
  constructor(
    private readonly routes: RawRoutes,
    private readonly method: string,
    private readonly path: string,
    private readonly startedNs: bigint,
    private readonly ip: string,
    private readonly response: ServerResponse,
  ) {}

  done(status: number): void {
    this.routes.observe(this.method, this.path, status, this.startedNs, this.ip);
  }

  fail(error: unknown): void {
    this.routes.logError(error, this.path);
    if (!this.response.headersSent) {
      this.response.writeHead(500, { 'content-type': 'application/json', connection: 'close' });
      this.response.end('{"code":"internal","message":"internal error"}');
    } else this.response.destroy();
    this.done(500);
  }
}
