import { renderAlloyHash, renderServedConfig } from '@linkmesh/alloy/render';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from '@connectrpc/connect';
import { fastifyConnectPlugin } from '@connectrpc/connect-fastify';
import {
  CollectorService,
  RemoteConfigStatuses,
  type EffectiveConfig,
  type GetConfigRequest,
  type GetConfigResponseSchema,
  type RegisterCollectorRequest,
  type RemoteConfigStatus,
  type UnregisterCollectorRequest,
} from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Collector } from '../../domain/fleet/collector.types.ts';
import { bearerFrom, type FleetService } from '../../domain/fleet/fleet.service.ts';

export interface RemotecfgRouteDeps {
  readonly fleet: FleetService;
  readonly logger: Logger;
  readonly externalUrl: () => string;
  /** Replaces the collector's labels with the attributes Alloy reports (`collector.*` excluded). */
  readonly setLabels: (collectorId: string, labels: Record<string, string>) => Promise<void>;
  /** Stores the configuration Alloy reports it loaded (`effective_config`, key `""`). */
  readonly recordEffectiveConfig: (collectorId: string, text: string) => Promise<void>;
}

/** The handler shapes for `collector.v1.CollectorService` (kept typed despite the cast below). */
interface CollectorServiceImpl {
  getConfig(
    request: GetConfigRequest,
    context: HandlerContext,
  ): Promise<MessageInitShape<typeof GetConfigResponseSchema>>;
  registerCollector(request: RegisterCollectorRequest, context: HandlerContext): Promise<object>;
  unregisterCollector(request: UnregisterCollectorRequest, context: HandlerContext): Promise<object>;
}

type RejectReason =
  'missing_or_malformed_bearer' | 'token_unknown_or_revoked_or_expired' | 'collector_deregistered';

const rejectMessages: Record<RejectReason, string> = {
  missing_or_malformed_bearer: 'missing or malformed Authorization: Bearer header',
  token_unknown_or_revoked_or_expired: 'bearer token unknown, revoked or expired',
  collector_deregistered: 'collector deregistered',
};

const utf8 = new TextDecoder('utf-8');

/**
 * Grafana Alloy `remotecfg` (protocols.md §3): the Connect service `collector.v1.CollectorService`
 * on the main app (`POST /collector.v1.CollectorService/{GetConfig,RegisterCollector,
 * UnregisterCollector}`, binary and JSON codecs, gzip accepted). The collector is identified by
 * its bearer; the request `id` is recorded, never trusted.
 */
export async function registerRemotecfgRoutes(app: FastifyInstance, deps: RemotecfgRouteDeps): Promise<void> {
  const service = new RemotecfgHandlers(deps);
  await app.register(fastifyConnectPlugin, {
    grpc: false,
    grpcWeb: false,
    routes: (router: ConnectRouter) => {
      const impl: CollectorServiceImpl = {
        getConfig: (request, context) => service.getConfig(request, context),
        registerCollector: async (request, context) => {
          await service.registerCollector(request, context);
          return {};
        },
        unregisterCollector: async (_request, context) => {
          await service.unregisterCollector(context);
          return {};
        },
      };
      router.service(CollectorService, impl);
    },
  });
}

class RemotecfgHandlers {
  constructor(private readonly deps: RemotecfgRouteDeps) {}

  async getConfig(
    request: GetConfigRequest,
    context: HandlerContext,
  ): Promise<MessageInitShape<typeof GetConfigResponseSchema>> {
    const collector = await this.authenticate(context, 'GetConfig');
    await this.contact(collector, request.id, 'GetConfig');
    await this.syncAttributes(collector, request.localAttributes, request.attributes);
    if (request.remoteConfigStatus)
      await this.recordStatus(collector.id, request.remoteConfigStatus, request.hash);
    if (request.effectiveConfig) await this.recordEffective(collector.id, request.effectiveConfig);

    const content = renderServedConfig({
      collectorId: collector.id,
      externalUrl: this.deps.externalUrl(),
      bearerToken: bearerFrom(context.requestHeader.get('authorization') ?? undefined) ?? '',
    });
    const hash = renderAlloyHash(content);
    if (request.hash === hash) return { notModified: true };
    this.deps.logger.info({ collectorId: collector.id, hash }, 'remotecfg.config: served');
    return { content, hash };
  }

  async registerCollector(request: RegisterCollectorRequest, context: HandlerContext): Promise<void> {
    const collector = await this.authenticate(context, 'RegisterCollector');
    await this.contact(collector, request.id, 'RegisterCollector');
    await this.syncAttributes(collector, request.localAttributes, request.attributes);
  }

  async unregisterCollector(context: HandlerContext): Promise<void> {
    const collector = await this.authenticate(context, 'UnregisterCollector');
    await this.deps.fleet.setConnectionStatus(collector.id, 'disconnected', 'remotecfg: UnregisterCollector');
  }

  private async authenticate(context: HandlerContext, method: string): Promise<Collector> {
    const verification = await this.deps.fleet.verifyBearer(
      context.requestHeader.get('authorization') ?? undefined,
    );
    if (!verification.ok) return this.reject(verification.reason, method);
    const collector = await this.deps.fleet.find(verification.collectorId);
    if (!collector || collector.deregisteredAtMs !== null)
      return this.reject('collector_deregistered', method);
    return collector;
  }

  private reject(reason: RejectReason, method: string): never {
    this.deps.logger.warn({ method }, `remotecfg.auth: rejected reason=${reason}`);
    throw new ConnectError(rejectMessages[reason], Code.Unauthenticated);
  }

  /** First contact (GetConfig or Register): `registered` once, the first `id` remembered. */
  private async contact(collector: Collector, reportedId: string, method: string): Promise<void> {
    const { fleet } = this.deps;
    if (collector.instanceUid === null) {
      if (reportedId !== '') await fleet.updateFromAgent(collector.id, { instanceUid: reportedId });
      await fleet.recordEvent(
        collector.id,
        'registered',
        `alloy via remotecfg (id ${reportedId})`,
        'remotecfg:registered',
      );
      this.deps.logger.info({ collectorId: collector.id, id: reportedId, method }, 'remotecfg.registered');
    } else if (reportedId !== '' && reportedId !== collector.instanceUid) {
      await fleet.recordEvent(
        collector.id,
        'identity_changed',
        `remotecfg id ${reportedId} presented the bearer first used by ${collector.instanceUid}`,
        `remotecfg:identity:${reportedId}`,
      );
      this.deps.logger.warn(
        { collectorId: collector.id, id: reportedId, firstId: collector.instanceUid },
        'remotecfg.identity: changed',
      );
    }
    await fleet.setConnectionStatus(collector.id, 'connected', `remotecfg ${method}`);
  }

  private async syncAttributes(
    collector: Collector,
    local: Readonly<Record<string, string>>,
    deprecated: Readonly<Record<string, string>>,
  ): Promise<void> {
    const attributes = Object.keys(local).length > 0 ? local : deprecated;
    if (Object.keys(attributes).length === 0) return;
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(attributes)) {
      if (!key.startsWith('collector.')) labels[key] = value;
    }
    if (!sameRecord(labels, collector.labels)) await this.deps.setLabels(collector.id, labels);
    const os = attributes['collector.os'];
    const version = attributes['collector.version'];
    if (
      (os !== undefined && os !== collector.os) ||
      (version !== undefined && version !== collector.version)
    ) {
      await this.deps.fleet.updateFromAgent(collector.id, { os, version });
    }
  }

  private async recordStatus(collectorId: string, status: RemoteConfigStatus, hash: string): Promise<void> {
    if (status.status === RemoteConfigStatuses.RemoteConfigStatuses_APPLIED) {
      await this.deps.fleet.recordEvent(
        collectorId,
        'config_applied',
        `remotecfg config ${hash.slice(0, 12)} applied`,
        `remotecfg:applied:${hash}`,
      );
    } else if (status.status === RemoteConfigStatuses.RemoteConfigStatuses_FAILED) {
      await this.deps.fleet.recordEvent(
        collectorId,
        'config_failed',
        `remotecfg config ${hash.slice(0, 12)} failed: ${status.errorMessage.slice(0, 1000)}`,
        `remotecfg:failed:${hash}`,
      );
      this.deps.logger.warn({ collectorId, hash, error: status.errorMessage }, 'remotecfg.status: failed');
    }
  }

  private async recordEffective(collectorId: string, effective: EffectiveConfig): Promise<void> {
    const files = effective.configMap?.configMap ?? {};
    const file = files[''] ?? Object.values(files)[0];
    if (file === undefined) return;
    await this.deps.recordEffectiveConfig(collectorId, utf8.decode(file.body));
  }
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}
