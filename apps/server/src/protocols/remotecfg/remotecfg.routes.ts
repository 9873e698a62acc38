import { Code, ConnectError } from '@connectrpc/connect';
import {
  RemoteConfigStatuses,
  type GetConfigRequest,
  type RegisterCollectorRequest,
} from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { CollectorAuthenticator } from '../../domain/fleet/collector-auth.ts';
import type { AlloyCaller, AlloyConfigAnswer, AlloyPoll } from '../../domain/remotecfg/alloy-poll.types.ts';
import type { AlloyPollingService } from '../../domain/remotecfg/alloy-polling.service.ts';
import { DomainError } from '../../domain/shared/errors.ts';
import type { RawRoutes } from '../http/raw-routes.ts';
import { RemotecfgEndpoint } from './remotecfg.connect.ts';

export interface RemotecfgRouteDeps {
  /** The main server's raw front door; without it (unit tests) the methods are Fastify routes. */
  readonly rawRoutes?: RawRoutes;
  /** Collector-bearer authentication, from the headers, before any body is read. */
  readonly auth: CollectorAuthenticator;
  /** The rules: registration, identity, labels, statuses, effective config, served content. */
  readonly polling: AlloyPollingService;
  readonly logger: Logger;
  /** Largest request body, before and after decompression. */
  readonly maxBodyBytes: number;
  /** Deepest JSON nesting the JSON codec accepts. */
  readonly maxJsonDepth: number;
}

/**
 * Grafana Alloy `remotecfg` (protocols.md §3): the Connect service `collector.v1.CollectorService`
 * (`POST /collector.v1.CollectorService/{GetConfig,RegisterCollector,UnregisterCollector}`,
 * binary and JSON codecs, gzip accepted), spoken by {@link RemotecfgEndpoint}. The collector is
 * identified by its bearer; the request `id` is recorded, never trusted.
 */
export function registerRemotecfgRoutes(app: FastifyInstance, deps: RemotecfgRouteDeps): void {
  const endpoint = new RemotecfgEndpoint({
    handlers: new RemotecfgHandlers(deps.polling, deps.logger),
    auth: deps.auth,
    logger: deps.logger,
    maxBodyBytes: deps.maxBodyBytes,
    maxJsonDepth: deps.maxJsonDepth,
  });
  if (deps.rawRoutes) endpoint.registerRaw(deps.rawRoutes);
  else endpoint.registerFastify(app);
}

/** An authenticated caller with the address it called from (for the rejection log line). */
export interface AuthenticatedCaller extends AlloyCaller {
  readonly ip: string;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Translation only: Connect messages to the domain's {@link AlloyPoll} and back, domain
 * failures to Connect codes with the seed's log line.
 */
export class RemotecfgHandlers {
  constructor(
    private readonly polling: AlloyPollingService,
    private readonly logger: Logger,
  ) {}

  /** See `AlloyPollingService.isSteadyPoll`. */
  isSteadyPoll(poll: AlloyPoll, caller: AuthenticatedCaller): boolean {
    return this.polling.isSteadyPoll(poll, caller);
  }

  getConfig(poll: AlloyPoll, caller: AuthenticatedCaller): Promise<AlloyConfigAnswer> {
    return this.mapped('GetConfig', caller, () => this.polling.getConfig(poll, caller));
  }

  registerCollector(request: RegisterCollectorRequest, caller: AuthenticatedCaller): Promise<void> {
    return this.mapped('RegisterCollector', caller, () => this.polling.register(pollOf(request), caller));
  }

  unregisterCollector(caller: AuthenticatedCaller): Promise<void> {
    return this.mapped('UnregisterCollector', caller, () => this.polling.unregister(caller));
  }

  private async mapped<T>(method: string, caller: AuthenticatedCaller, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'unauthenticated') {
        this.logger.warn({ method, ip: caller.ip }, 'remotecfg.auth: rejected reason=collector_deregistered');
        throw new ConnectError(error.message, Code.Unauthenticated);
      }
      throw error;
    }
  }
}

/** The domain's view of a GetConfig or RegisterCollector request. */
export function pollOf(request: GetConfigRequest | RegisterCollectorRequest): AlloyPoll {
  const attributes =
    Object.keys(request.localAttributes).length > 0 ? request.localAttributes : request.attributes;
  if (!('hash' in request)) return { reportedId: request.id, hash: '', attributes };
  const status = statusOf(request.remoteConfigStatus?.status);
  const files = request.effectiveConfig?.configMap?.configMap;
  const file = files === undefined ? undefined : (files[''] ?? Object.values(files)[0]);
  return {
    reportedId: request.id,
    hash: request.hash,
    attributes,
    ...(status === undefined
      ? {}
      : { status: { state: status, errorMessage: request.remoteConfigStatus?.errorMessage ?? '' } }),
    ...(file === undefined ? {} : { effectiveConfig: utf8.decode(file.body) }),
  };
}

function statusOf(status: RemoteConfigStatuses | undefined): 'applying' | 'applied' | 'failed' | undefined {
  switch (status) {
    case RemoteConfigStatuses.RemoteConfigStatuses_APPLYING:
      return 'applying';
    case RemoteConfigStatuses.RemoteConfigStatuses_APPLIED:
      return 'applied';
    case RemoteConfigStatuses.RemoteConfigStatuses_FAILED:
      return 'failed';
    case RemoteConfigStatuses.RemoteConfigStatuses_UNSET:
    case undefined:
      return undefined;
  }
}
