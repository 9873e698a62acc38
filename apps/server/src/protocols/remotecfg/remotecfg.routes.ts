import { renderAlloyHash, renderServedConfig } from '@linkmesh/alloy/render';
import { registerGetConfigRoute, registerRawGetConfig } from './remotecfg.get-config.ts';
import type { RawRoutes } from '../http/raw-routes.ts';
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  Code,
  ConnectError,
  createContextKey,
  createContextValues,
  type ConnectRouter,
  type HandlerContext,
} from '@connectrpc/connect';
import { fastifyConnectPlugin } from '@connectrpc/connect-fastify';
import {
  CollectorService,
  RemoteConfigStatuses,
  type EffectiveConfig,
  type GetConfigRequest,
  type GetConfigResponseSchema,
  type RegisterCollectorRequest,
  type RemoteConfigStatus,
} from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { BearerCache } from '../../domain/fleet/bearer-cache.ts';
import type { CollectorCache } from '../../domain/fleet/collector-cache.ts';
import type { Collector } from '../../domain/fleet/collector.types.ts';
import { FailureThrottle } from '../../domain/shared/failure-throttle.ts';
import type { Clock } from '../../domain/shared/clock.ts';
import { bearerFrom, lastSeenWriteIntervalMs, type FleetService } from '../../domain/fleet/fleet.service.ts';

export interface RemotecfgRouteDeps {
  /** The main server's raw front door; without it (unit tests) GetConfig is a Fastify route. */
  readonly rawRoutes?: RawRoutes;
  readonly fleet: FleetService;
  /** Verified bearers, cached (every Alloy polls every minute). */
  readonly bearers: BearerCache;
  /** Recently read collector records, so a steady `not_modified` poll reads nothing. */
  readonly collectors: CollectorCache;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly externalUrl: () => string;
  /** Replaces the collector's labels with the attributes Alloy reports (`collector.*` excluded). */
  readonly setLabels: (collectorId: string, labels: Record<string, string>) => Promise<void>;
  /** Stores the configuration Alloy reports it loaded (`effective_config`, key `""`). */
  readonly recordEffectiveConfig: (collectorId: string, text: string) => Promise<void>;
}

/** Failed authentications per source address per minute before that address must wait. */
const authFailuresBeforeThrottle = 30;

/** The caller's address, handed from Fastify to the Connect handlers. */
const clientIpKey = createContextKey<string>('', { description: 'client IP address' });

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
  // GetConfig is the fleet-volume call (every Alloy, every minute): answered by our own Connect
  // unary code, from the raw request on the main server (see RawRoutes), else as a plain route.
  if (deps.rawRoutes) registerRawGetConfig(deps.rawRoutes, service);
  else registerGetConfigRoute(app, service);
  const caller = (context: HandlerContext): Caller => ({
    authorization: context.requestHeader.get('authorization') ?? undefined,
    ip: context.values.get(clientIpKey),
  });
  await app.register(fastifyConnectPlugin, {
    grpc: false,
    grpcWeb: false,
    contextValues: (request) => createContextValues().set(clientIpKey, request.ip),
    routes: (router: ConnectRouter) => {
      router.rpc(CollectorService.method.registerCollector, async (request, context) => {
        await service.registerCollector(request, caller(context));
        return {};
      });
      router.rpc(CollectorService.method.unregisterCollector, async (_request, context) => {
        await service.unregisterCollector(caller(context));
        return {};
      });
    },
  });
}

/** Who is calling: the Authorization header and the source address (for the failure throttle). */
export interface Caller {
  readonly authorization: string | undefined;
  readonly ip: string;
}

/** Bounds the rendered-content cache (one entry per collector and bearer). */
const renderedCacheEntries = 200_000;

export class RemotecfgHandlers {
  private readonly throttle: FailureThrottle;
  /** `id`s already recorded as an identity change, per collector (saves a write per poll). */
  private readonly reportedIds = new Map<string, string>();
  /** Rendered content and hash per collector, bearer and external URL. */
  private readonly rendered = new Map<string, { content: string; hash: string }>();

  constructor(private readonly deps: RemotecfgRouteDeps) {
    this.throttle = new FailureThrottle(deps.clock, {
      maxFailures: authFailuresBeforeThrottle,
      windowMs: 60_000,
      maxKeys: 50_000,
    });
  }

  /**
   * The steady poll — nothing to record, bearer and collector cached, `lastSeenAt` fresh,
   * attributes unchanged — answered synchronously, without storage or an await. Anything else
   * (undefined) takes {@link getConfig}. Every Alloy polls every minute; this is most calls.
   */
  steadyPoll(request: GetConfigRequest, caller: Caller): { notModified: true } | undefined {
    if (request.remoteConfigStatus || request.effectiveConfig) return undefined;
    const verified = this.deps.bearers.peek(caller.authorization);
    if (verified === undefined) return undefined;
    const collector = this.deps.collectors.peek(verified.collectorId);
    if (
      collector === undefined ||
      collector.deregisteredAtMs !== null ||
      collector.status !== 'connected' ||
      collector.instanceUid !== request.id ||
      collector.lastSeenAtMs === null ||
      this.deps.clock.nowMs() - collector.lastSeenAtMs >= lastSeenWriteIntervalMs ||
      attributeChanges(collector, request.localAttributes, request.attributes) !== undefined
    )
      return undefined;
    const token = bearerFrom(caller.authorization) ?? '';
    return request.hash === this.served(collector.id, verified.credentialId, token).hash
      ? { notModified: true }
      : undefined;
  }

  async getConfig(
    request: GetConfigRequest,
    caller: Caller,
  ): Promise<MessageInitShape<typeof GetConfigResponseSchema>> {
    const { collector, token, credentialId } = await this.authenticate(caller, 'GetConfig');
    const current = await this.contact(collector, request.id, 'GetConfig');
    await this.syncAttributes(current, request.localAttributes, request.attributes);
    if (request.remoteConfigStatus)
      await this.recordStatus(collector.id, request.remoteConfigStatus, request.hash);
    if (request.effectiveConfig) await this.recordEffective(collector.id, request.effectiveConfig);

    const { content, hash } = this.served(collector.id, credentialId, token);
    if (request.hash === hash) return { notModified: true };
    this.deps.logger.info({ collectorId: collector.id, hash }, 'remotecfg.config: served');
    return { content, hash };
  }

  /**
   * The content for this collector and bearer, rendered once and reused: it embeds the bearer
   * that asked for it (so the hash follows a rotation) and the external URL.
   */
  private served(
    collectorId: string,
    credentialId: string,
    token: string,
  ): { content: string; hash: string } {
    const externalUrl = this.deps.externalUrl();
    const key = `${collectorId}\u0000${credentialId}\u0000${externalUrl}`;
    const hit = this.rendered.get(key);
    if (hit) return hit;
    const content = renderServedConfig({ collectorId, externalUrl, bearerToken: token });
    const entry = { content, hash: renderAlloyHash(content) };
    if (this.rendered.size >= renderedCacheEntries)
      this.rendered.delete(this.rendered.keys().next().value ?? '');
    this.rendered.set(key, entry);
    return entry;
  }

  async registerCollector(request: RegisterCollectorRequest, caller: Caller): Promise<void> {
    const { collector } = await this.authenticate(caller, 'RegisterCollector');
    const current = await this.contact(collector, request.id, 'RegisterCollector');
    await this.syncAttributes(current, request.localAttributes, request.attributes);
  }

  async unregisterCollector(caller: Caller): Promise<void> {
    const { collector } = await this.authenticate(caller, 'UnregisterCollector');
    await this.deps.fleet.setConnectionStatus(collector.id, 'disconnected', 'remotecfg: UnregisterCollector');
    this.deps.collectors.forget(collector.id);
  }

  private async authenticate(
    { authorization, ip }: Caller,
    method: string,
  ): Promise<{ collector: Collector; token: string; credentialId: string }> {
    const waitSeconds = this.throttle.retryAfterSeconds(ip);
    if (waitSeconds > 0 && !this.deps.bearers.isCached(authorization)) {
      // Only unverified bearers from a failing address wait; Alloys already verified from behind
      // the same address (a shared NAT) carry on.
      this.deps.logger.debug({ ip, method, retryAfterSeconds: waitSeconds }, 'remotecfg.auth: throttled');
      throw new ConnectError('too many failed authentications from this address', Code.ResourceExhausted, {
        'retry-after': String(waitSeconds),
      });
    }
    const verification = await this.deps.bearers.verify(authorization);
    if (!verification.ok) return this.reject(verification.reason, method, ip);
    const collector = await this.deps.collectors.get(verification.collectorId);
    if (!collector || collector.deregisteredAtMs !== null)
      return this.reject('collector_deregistered', method, ip);
    return { collector, token: bearerFrom(authorization) ?? '', credentialId: verification.credentialId };
  }

  private reject(reason: RejectReason, method: string, ip: string): never {
    this.throttle.recordFailure(ip);
    this.deps.logger.warn({ method, ip }, `remotecfg.auth: rejected reason=${reason}`);
    throw new ConnectError(rejectMessages[reason], Code.Unauthenticated);
  }

  /**
   * Every call is a sign of life (`connected`, `lastSeenAt`). First contact (GetConfig or
   * Register) records `registered` once and remembers the `id`; another `id` later records
   * `identity_changed` once per new id. Returns the record as it now is.
   */
  private async contact(collector: Collector, reportedId: string, method: string): Promise<Collector> {
    const { fleet } = this.deps;
    let current = collector;
    if (collector.instanceUid === null) {
      if (reportedId !== '') {
        await fleet.updateFromAgent(collector.id, { instanceUid: reportedId });
        current = { ...current, instanceUid: reportedId };
      }
      await fleet.recordEvent(
        collector.id,
        'registered',
        `alloy via remotecfg (id ${reportedId})`,
        'remotecfg:registered',
      );
      this.deps.logger.info({ collectorId: collector.id, id: reportedId, method }, 'remotecfg.registered');
    } else if (
      reportedId !== '' &&
      reportedId !== collector.instanceUid &&
      this.reportedIds.get(collector.id) !== reportedId
    ) {
      await fleet.recordEvent(
        collector.id,
        'identity_changed',
        `remotecfg id ${reportedId} presented the bearer first used by ${collector.instanceUid}`,
        `remotecfg:identity:${reportedId}`,
      );
      this.rememberReportedId(collector.id, reportedId);
      this.deps.logger.warn(
        { collectorId: collector.id, id: reportedId, firstId: collector.instanceUid },
        'remotecfg.identity: changed',
      );
    }
    current = (await fleet.markSeen(collector.id, `remotecfg ${method}`, current)) ?? current;
    // Only a record this call changed goes back: re-putting an unchanged one would extend its
    // TTL for ever under steady polling and hide other replicas' changes.
    if (current !== collector) this.deps.collectors.put(current);
    return current;
  }

  private rememberReportedId(collectorId: string, reportedId: string): void {
    if (this.reportedIds.size >= 100_000) this.reportedIds.clear();
    this.reportedIds.set(collectorId, reportedId);
  }

  private async syncAttributes(
    collector: Collector,
    local: Readonly<Record<string, string>>,
    deprecated: Readonly<Record<string, string>>,
  ): Promise<void> {
    const changes = attributeChanges(collector, local, deprecated);
    if (changes === undefined) return;
    if (changes.labels !== undefined) {
      await this.deps.setLabels(collector.id, changes.labels);
      this.deps.collectors.put({ ...collector, labels: changes.labels });
    }
    if (changes.os !== undefined || changes.version !== undefined) {
      await this.deps.fleet.updateFromAgent(collector.id, { os: changes.os, version: changes.version });
      this.deps.collectors.forget(collector.id);
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

/**
 * What the reported attributes would change on the record: labels (`collector.*` excluded) and
 * the reserved `collector.os` / `collector.version`. Undefined when nothing changes.
 */
function attributeChanges(
  collector: Collector,
  local: Readonly<Record<string, string>>,
  deprecated: Readonly<Record<string, string>>,
): { labels?: Record<string, string>; os?: string; version?: string } | undefined {
  const attributes = Object.keys(local).length > 0 ? local : deprecated;
  const keys = Object.keys(attributes);
  if (keys.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const key of keys) if (!key.startsWith('collector.')) labels[key] = attributes[key] ?? '';
  const os = attributes['collector.os'];
  const version = attributes['collector.version'];
  const changes = {
    ...(sameRecord(labels, collector.labels) ? {} : { labels }),
    ...(os !== undefined && os !== collector.os ? { os } : {}),
    ...(version !== undefined && version !== collector.version ? { version } : {}),
  };
  return Object.keys(changes).length === 0 ? undefined : changes;
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}
