import { renderAlloyHash, renderServedConfig } from '@linkmesh/alloy/render';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import {
  RemoteConfigStatuses,
  type EffectiveConfig,
  type GetConfigRequest,
  type GetConfigResponseSchema,
  type RegisterCollectorRequest,
  type RemoteConfigStatus,
} from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { CollectorAuthenticator } from '../../domain/fleet/collector-auth.ts';
import type { CollectorCache } from '../../domain/fleet/collector-cache.ts';
import type { Collector } from '../../domain/fleet/collector.types.ts';
import type { Clock } from '../../domain/shared/clock.ts';
import { lastSeenWriteIntervalMs, type FleetService } from '../../domain/fleet/fleet.service.ts';
import type { RawRoutes } from '../http/raw-routes.ts';
import { RemotecfgEndpoint } from './remotecfg.connect.ts';

export interface RemotecfgRouteDeps {
  /** The main server's raw front door; without it (unit tests) the methods are Fastify routes. */
  readonly rawRoutes?: RawRoutes;
  readonly fleet: FleetService;
  /** Collector-bearer authentication, from the headers, before any body is read. */
  readonly auth: CollectorAuthenticator;
  /** Recently read collector records, so a steady `not_modified` poll reads nothing. */
  readonly collectors: CollectorCache;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly externalUrl: () => string;
  /** Largest request body, before and after decompression. */
  readonly maxBodyBytes: number;
  /** Deepest JSON nesting the JSON codec accepts. */
  readonly maxJsonDepth: number;
  /** Replaces the collector's labels with the attributes Alloy reports (`collector.*` excluded). */
  readonly setLabels: (collectorId: string, labels: Record<string, string>) => Promise<void>;
  /** Stores the configuration Alloy reports it loaded (`effective_config`, key `""`). */
  readonly recordEffectiveConfig: (collectorId: string, text: string) => Promise<void>;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Grafana Alloy `remotecfg` (protocols.md §3): the Connect service `collector.v1.CollectorService`
 * (`POST /collector.v1.CollectorService/{GetConfig,RegisterCollector,UnregisterCollector}`,
 * binary and JSON codecs, gzip accepted), spoken by {@link RemotecfgEndpoint}. The collector is
 * identified by its bearer; the request `id` is recorded, never trusted.
 */
export function registerRemotecfgRoutes(app: FastifyInstance, deps: RemotecfgRouteDeps): void {
  const endpoint = new RemotecfgEndpoint({
    handlers: new RemotecfgHandlers(deps),
    auth: deps.auth,
    logger: deps.logger,
    maxBodyBytes: deps.maxBodyBytes,
    maxJsonDepth: deps.maxJsonDepth,
  });
  if (deps.rawRoutes) endpoint.registerRaw(deps.rawRoutes);
  else endpoint.registerFastify(app);
}

/** An authenticated caller: its collector, bearer credential and token, and its address. */
export interface AuthenticatedCaller {
  readonly collectorId: string;
  readonly credentialId: string;
  /** The bearer it presented (the served config embeds it). */
  readonly token: string;
  readonly ip: string;
}

/** Bounds the rendered-content cache (one entry per collector and bearer). */
const renderedCacheEntries = 200_000;

export class RemotecfgHandlers {
  /** `id`s already recorded as an identity change, per collector (saves a write per poll). */
  private readonly reportedIds = new Map<string, string>();
  /** Rendered content and hash per collector, bearer and external URL. */
  private readonly rendered = new Map<string, { content: string; hash: string }>();

  constructor(private readonly deps: RemotecfgRouteDeps) {}

  /**
   * The steady poll — nothing to record, bearer and collector cached, `lastSeenAt` fresh,
   * attributes unchanged — answered synchronously, without storage or an await. Anything else
   * (undefined) takes {@link getConfig}. Every Alloy polls every minute; this is most calls.
   */
  steadyPoll(request: GetConfigRequest, caller: AuthenticatedCaller): boolean {
    if (request.remoteConfigStatus || request.effectiveConfig) return false;
    const collector = this.deps.collectors.peek(caller.collectorId);
    if (
      collector === undefined ||
      collector.deregisteredAtMs !== null ||
      collector.status !== 'connected' ||
      collector.instanceUid !== request.id ||
      collector.lastSeenAtMs === null ||
      this.deps.clock.nowMs() - collector.lastSeenAtMs >= lastSeenWriteIntervalMs ||
      attributeChanges(collector, request.localAttributes, request.attributes) !== undefined
    )
      return false;
    return request.hash === this.served(collector.id, caller.credentialId, caller.token).hash;
  }

  async getConfig(
    request: GetConfigRequest,
    caller: AuthenticatedCaller,
  ): Promise<MessageInitShape<typeof GetConfigResponseSchema>> {
    const collector = await this.collectorOf(caller, 'GetConfig');
    const current = await this.contact(collector, request.id, 'GetConfig');
    await this.syncAttributes(current, request.localAttributes, request.attributes);
    if (request.remoteConfigStatus)
      await this.recordStatus(collector.id, request.remoteConfigStatus, request.hash);
    if (request.effectiveConfig) await this.recordEffective(collector.id, request.effectiveConfig);

    const { content, hash } = this.served(collector.id, caller.credentialId, caller.token);
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

  async registerCollector(request: RegisterCollectorRequest, caller: AuthenticatedCaller): Promise<void> {
    const collector = await this.collectorOf(caller, 'RegisterCollector');
    const current = await this.contact(collector, request.id, 'RegisterCollector');
    await this.syncAttributes(current, request.localAttributes, request.attributes);
  }

  async unregisterCollector(caller: AuthenticatedCaller): Promise<void> {
    const collector = await this.collectorOf(caller, 'UnregisterCollector');
    await this.deps.fleet.setConnectionStatus(collector.id, 'disconnected', 'remotecfg: UnregisterCollector');
    this.deps.collectors.forget(collector.id);
  }

  /** The authenticated collector's record; deregistered since the bearer check → Unauthenticated. */
  private async collectorOf(caller: AuthenticatedCaller, method: string): Promise<Collector> {
    const collector = await this.deps.collectors.get(caller.collectorId);
    if (collector && collector.deregisteredAtMs === null) return collector;
    this.deps.logger.warn(
      { method, ip: caller.ip },
      'remotecfg.auth: rejected reason=collector_deregistered',
    );
    throw new ConnectError('collector deregistered', Code.Unauthenticated);
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
