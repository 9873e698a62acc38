import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { FleetService } from '../../domain/fleet/fleet.service.ts';
import type { OpampService } from '../../domain/opamp/opamp.service.ts';
import { boundedCache } from '../../domain/shared/bounded-cache.ts';
import type { Clock } from '../../domain/shared/clock.ts';
import { AgentConnections, type FanOutObserver } from './agent-connections.ts';
import { registerOpampHttp } from './opamp.http.ts';
import type { SessionDeps } from './opamp.session.ts';
import { handleOpampUpgrades } from './opamp.ws.ts';

export interface OpampTransportDeps {
  readonly opamp: OpampService;
  readonly fleet: FleetService;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly externalUrl: () => string;
  /** Largest message accepted, after decompression (WS close 1009 / HTTP 413 above). */
  readonly maxMessageBytes: number;
  /** Largest gzip body of an HTTP POST as sent, before decompression (413 above). */
  readonly maxCompressedBodyBytes: number;
  readonly heartbeatIntervalSeconds: number;
  /** WebSocket connections above this are refused with 503 + Retry-After (overload protection). */
  readonly maxConnections: number;
  /** Told when a fleet-wide config walk ends (the server's metrics). */
  readonly fanOutObserver?: FanOutObserver;
}

export interface OpampTransport {
  /** One liveness sweep now (it also runs on a timer); resolves to the status changes made. */
  sweepLiveness(): Promise<number>;
  close(): void;
}

const opampPath = '/v1/opamp';
/** Polling agents remembered at most; a forgotten one only starts a new session on its next poll. */
const maxPollingAgents = 200_000;

/**
 * `/v1/opamp` on the main port: the WebSocket and plain-HTTP transports feed one connection type
 * (AgentConnection) kept in one registry (AgentConnections), which the fleet's listeners, config
 * changes and the liveness sweep address by collector. Time comes from the injected clock.
 */
export function registerOpampTransport(app: FastifyInstance, deps: OpampTransportDeps): OpampTransport {
  const session: SessionDeps = {
    opamp: deps.opamp,
    fleet: deps.fleet,
    logger: deps.logger,
    externalUrl: deps.externalUrl,
    heartbeatIntervalSeconds: deps.heartbeatIntervalSeconds,
    // Bounded: a forgotten instance is only asked for its full state once more.
    sequences: boundedCache<string, bigint>(1_000_000),
    liveInstances: new Map(),
    nowMs: () => deps.clock.nowMs(),
  };
  // Liveness: an agent silent for three heartbeat intervals is stale (WebSocket still open) or
  // gone (plain HTTP: missed polls are all there is).
  const silenceMs = 3 * deps.heartbeatIntervalSeconds * 1000;
  const connections = new AgentConnections(
    deps.fleet,
    deps.clock,
    { silenceMs, maxPollingAgents },
    deps.fanOutObserver,
  );
  deps.fleet.addListener(connections);
  deps.opamp.onConfigChanged((collectorId) => {
    connections
      .configChanged(collectorId)
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'opamp.config: push failed'));
  });

  const websockets = handleOpampUpgrades(app.server, {
    session,
    connections,
    logger: deps.logger,
    path: opampPath,
    maxMessageBytes: deps.maxMessageBytes,
    maxConnections: deps.maxConnections,
  });
  registerOpampHttp(app, {
    session,
    connections,
    logger: deps.logger,
    path: opampPath,
    maxMessageBytes: deps.maxMessageBytes,
    maxCompressedBodyBytes: deps.maxCompressedBodyBytes,
  });

  const sweepLiveness = () =>
    connections.sweep().catch((error: unknown) => {
      deps.logger.warn({ err: error }, 'opamp.liveness: failed');
      return 0;
    });
  // The timer only decides when to look; what counts as silent is read from the clock.
  const liveness = setInterval(() => void sweepLiveness(), Math.min(10_000, silenceMs / 3));
  liveness.unref();

  return {
    sweepLiveness,
    close() {
      clearInterval(liveness);
      websockets.close();
    },
  };
}
