import { boundedCache } from '../shared/bounded-cache.ts';
import type { Clock } from '../shared/clock.ts';
import { displayPrefix, hashCredential, looksLikeCredential, mintCredential } from '../shared/credentials.ts';
import { invalid, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { KnownSecrets } from '../shared/known-secrets.ts';
import { redactSecrets, redactSecretsDeep } from '../shared/redact-secrets.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { StorageOf, StoresOf } from '../shared/storage.port.ts';

/** The stores the fleet service (and what runs inside its transactions) uses. */
export type FleetStoreName = 'collectors' | 'credentials' | 'events' | 'audit' | 'throughput';
type FleetStores = StoresOf<FleetStoreName>;
import { ratesAsOf } from '../telemetry/rate-summary.ts';
import { deriveStatus } from './collector-health.ts';
import type { CollectorListFilter } from './collector.store.ts';
import type { FleetListItem, FleetQuery } from './fleet-list.types.ts';
import type {
  Collector,
  CollectorEvent,
  CollectorEventType,
  CollectorStatus,
  ManagementMode,
  NewCollector,
  Runtime,
} from './collector.types.ts';

/** Why a collector bearer was refused; the OTLP log line names it verbatim. */
export type BearerRejection = 'missing_or_malformed_bearer' | 'token_unknown_or_revoked_or_expired';

export type BearerVerification =
  | { readonly ok: true; readonly collectorId: string; readonly credentialId: string }
  | {
      readonly ok: false;
      readonly reason: BearerRejection;
      /** The collector a revoked or expired bearer belonged to (absent when nobody ever held it). */
      readonly collectorId?: string;
    };

/** Told about fleet changes that live connections and caches must follow at once. */
export interface FleetListener {
  collectorDeregistered?(collectorId: string): void;
  bearersRevoked?(collectorId: string): void;
  /**
   * A new bearer must reach the collector (OpAMP: a new ConnectionSettingsOffers; Managed: sealed
   * for the agent to collect). Resolves true when delivered or queued for delivery.
   */
  bearerRotated?(collectorId: string, token: string, rotation: RotationFacts): boolean | Promise<boolean>;
  /** Labels or version changed: which routes target the collector, and how they render, may differ. */
  renderInputsChanged?(collectorId: string): void;
}

/** What a rotation listener may need beyond the token itself. */
export interface RotationFacts {
  /** The new bearer's credential id. */
  readonly credentialId: string;
  readonly rotatedAtMs: number;
  /** When the bearers the collector held until now stop verifying. */
  readonly previousValidUntilMs: number;
}

const nameMaxLength = 200;

/** `lastSeenAt` of polling collectors is rewritten at most this often (a listing needs no finer grain). */
export const lastSeenWriteIntervalMs = 15_000;

/** The fleet: collector records, their bearers (`lmct_`), events and deregistration. */
export class FleetService {
  private readonly listeners: FleetListener[] = [];
  /** Collectors whose host name {@link adoptAlloyHostname} has already looked at. */
  private readonly hostnameChecked = boundedCache<string, true>(1_000_000);
  /** Destination credentials rendered into configs, redacted by value from what collectors report. */
  readonly knownSecrets = new KnownSecrets();

  constructor(
    private readonly storage: StorageOf<FleetStoreName>,
    private readonly clock: Clock,
  ) {}

  addListener(listener: FleetListener): void {
    this.listeners.push(listener);
  }

  /** Pre-creates a collector from the API (Alloy remotecfg, or an otelcol awaiting OpAMP). */
  async createCollector(
    context: RequestContext,
    input: { name: string; runtime: Runtime },
  ): Promise<Collector> {
    const name = input.name.trim();
    if (name.length === 0 || name.length > nameMaxLength) {
      throw invalid('name', `name must be 1–${nameMaxLength} characters`);
    }
    const mode: ManagementMode = input.runtime === 'alloy' ? 'alloy-remotecfg' : 'opamp';
    return this.storage.transaction(async (stores) => {
      const collector = await stores.collectors.insert({
        id: newId(),
        name,
        runtime: input.runtime,
        mode,
        createdAtMs: this.clock.nowMs(),
      });
      await stores.audit.append({
        atMs: collector.createdAtMs,
        actor: context.actor,
        action: 'collector.created',
        target: `collector:${collector.id}`,
        sourceIp: context.sourceIp,
        detail: `${input.runtime} ${name}`,
      });
      return collector;
    });
  }

  /** Creates a collector inside a redemption transaction (enrollment paths). */
  async enrolCollector(
    stores: FleetStores,
    collector: Omit<NewCollector, 'id' | 'createdAtMs'>,
  ): Promise<Collector> {
    const created = await stores.collectors.insert({
      ...reportedFacts(collector),
      id: newId(),
      createdAtMs: this.clock.nowMs(),
    });
    await stores.events.append({
      collectorId: created.id,
      type: 'registered',
      atMs: created.createdAtMs,
      detail: `${created.runtime} via ${created.mode}`,
    });
    return created;
  }

  async get(id: string): Promise<Collector> {
    const collector = await this.storage.collectors.get(id);
    if (!collector) throw notFound('collector');
    return collector;
  }

  /** Keeps the record in step with what the agent describes (host name, version, OS, instance). */
  async updateFromAgent(
    collectorId: string,
    facts: {
      hostname?: string | undefined;
      version?: string | undefined;
      os?: string | undefined;
      arch?: string | undefined;
      instanceUid?: string | undefined;
    },
  ): Promise<void> {
    const patch = Object.fromEntries(Object.entries(reportedFacts(facts)).filter(([, v]) => v !== undefined));
    if (Object.keys(patch).length === 0) return;
    const before = patch.version === undefined ? undefined : await this.storage.collectors.get(collectorId);
    await this.storage.collectors.update(collectorId, patch);
    // What renders for a collector depends on its version (a type removed upstream renders otherwise).
    if (before && before.version !== patch.version) this.renderInputsChanged(collectorId);
  }

  /**
   * Alloy reports no host name over remotecfg, but its self-telemetry's `service.instance.id` is
   * the host's name (protocols.md §3.5): an Alloy collector without one takes it. Checked once per
   * collector per process, so the ingest path pays a set lookup per push.
   */
  async adoptAlloyHostname(collectorId: string, serviceInstanceId: string): Promise<void> {
    if (this.hostnameChecked.has(collectorId)) return;
    this.hostnameChecked.set(collectorId, true);
    const hostname = serviceInstanceId.trim();
    if (hostname.length === 0 || hostname.length > 253) return;
    const collector = await this.storage.collectors.get(collectorId);
    if (collector?.runtime !== 'alloy' || collector.hostname !== null) return;
    await this.storage.collectors.update(collectorId, { hostname });
  }

  /** Replaces the labels an agent reports (Alloy remotecfg attributes, `collector.*` excluded), redacted. */
  async setLabels(collectorId: string, labels: Record<string, string>): Promise<void> {
    await this.storage.collectors.update(collectorId, { labels: redactSecretsDeep(labels) });
    this.renderInputsChanged(collectorId);
  }

  /**
   * Replaces the labels an operator set on a collector (`PUT /collectors/{id}/labels`); groups
   * and routes match on these over the reported ones. Audited.
   */
  async setOperatorLabels(
    context: RequestContext,
    collectorId: string,
    labels: Record<string, string>,
  ): Promise<Collector> {
    const updated = await this.storage.transaction(async (stores) => {
      const collector = await stores.collectors.update(collectorId, { operatorLabels: labels });
      if (!collector) throw notFound('collector');
      await stores.audit.append({
        atMs: this.clock.nowMs(),
        actor: context.actor,
        action: 'collector.labels_set',
        target: `collector:${collectorId}`,
        sourceIp: context.sourceIp,
        detail: Object.entries(labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')
          .slice(0, 1000),
      });
      return collector;
    });
    this.renderInputsChanged(collectorId);
    return updated;
  }

  /** Every live collector (paged through storage), for group membership and route targets. */
  async liveCollectors(): Promise<Collector[]> {
    const all: Collector[] = [];
    for (;;) {
      const last = all.at(-1);
      const page = await this.storage.collectors.list({
        limit: 1000,
        ...(last ? { after: { createdAtMs: last.createdAtMs, id: last.id } } : {}),
      });
      all.push(...page);
      if (page.length < 1000) return all;
    }
  }

  private renderInputsChanged(collectorId: string): void {
    for (const listener of this.listeners) listener.renderInputsChanged?.(collectorId);
  }

  /** Keeps the effective config a collector reported outside OpAMP, secrets redacted. */
  async recordEffectiveConfig(collectorId: string, text: string): Promise<void> {
    await this.storage.collectors.setEffectiveConfig(
      collectorId,
      this.redactReported(text),
      this.clock.nowMs(),
    );
  }

  /** A text a collector reported, redacted by shape (keys, bearer forms) and by known secret value. */
  redactReported(text: string): string {
    return this.knownSecrets.redact(redactSecrets(text));
  }

  reportedEffectiveConfig(collectorId: string): Promise<{ text: string; reportedAtMs: number } | undefined> {
    return this.storage.collectors.effectiveConfig(collectorId);
  }

  /**
   * Sets the connection status, recording `connected` / `disconnected` events on changes
   * (`stale` — connected but silent — is recorded as a `disconnected` event with its reason).
   */
  async setConnectionStatus(
    collectorId: string,
    status: 'connected' | 'disconnected' | 'stale',
    detail: string,
  ): Promise<void> {
    const collector = await this.storage.collectors.get(collectorId);
    if (!collector || collector.deregisteredAtMs !== null || collector.status === status) return;
    const nowMs = this.clock.nowMs();
    await this.storage.collectors.update(collectorId, {
      status,
      ...(status === 'connected' ? { lastSeenAtMs: nowMs } : {}),
    });
    await this.recordEvent(collectorId, status === 'connected' ? 'connected' : 'disconnected', detail);
  }

  /**
   * A sign of life from a collector that polls rather than holds a connection (Alloy remotecfg,
   * linkmesh-agent reports): status `connected` (with an event when it changes) and `lastSeenAt`,
   * written at most every {@link lastSeenWriteIntervalMs} so steady polling costs no writes.
   * `known` saves a read when the caller holds a recent record; returns the record as it now is.
   */
  async markSeen(collectorId: string, detail: string, known?: Collector): Promise<Collector | undefined> {
    const current = known ?? (await this.storage.collectors.get(collectorId));
    if (!current || current.deregisteredAtMs !== null) return current;
    const nowMs = this.clock.nowMs();
    if (current.status !== 'connected') {
      await this.setConnectionStatus(collectorId, 'connected', detail);
      return { ...current, status: 'connected', lastSeenAtMs: nowMs };
    }
    if (current.lastSeenAtMs !== null && nowMs - current.lastSeenAtMs < lastSeenWriteIntervalMs)
      return current;
    await this.storage.collectors.update(collectorId, { lastSeenAtMs: nowMs });
    return { ...current, lastSeenAtMs: nowMs };
  }

  /**
   * Polling collectors gone quiet: `connected` ones silent for `staleAfterMs` become `stale`,
   * `stale` ones silent for `disconnectedAfterMs` become `disconnected` (each with its event).
   */
  async sweepSilentPollers(staleAfterMs: number, disconnectedAfterMs: number): Promise<number> {
    const nowMs = this.clock.nowMs();
    let changed = 0;
    const steps = [
      { from: 'connected', to: 'stale', afterMs: staleAfterMs },
      { from: 'stale', to: 'disconnected', afterMs: disconnectedAfterMs },
    ] as const;
    for (const step of steps) {
      const silent = await this.storage.collectors.listSilent({
        modes: ['alloy-remotecfg', 'managed'],
        status: step.from,
        lastSeenBeforeMs: nowMs - step.afterMs,
        limit: 1000,
      });
      for (const collector of silent) {
        const silentSeconds = Math.round((nowMs - (collector.lastSeenAtMs ?? collector.createdAtMs)) / 1000);
        await this.setConnectionStatus(
          collector.id,
          step.to,
          `no poll or agent report for ${silentSeconds} s`,
        );
        changed += 1;
      }
    }
    return changed;
  }

  /** Like `get`, but undefined instead of not-found. */
  find(id: string): Promise<Collector | undefined> {
    return this.storage.collectors.get(id);
  }

  list(filter: CollectorListFilter): Promise<Collector[]> {
    return this.storage.collectors.list(filter);
  }

  /**
   * The fleet list (decision 0017): each row with its derived status — `error` and the reason
   * when a connected collector's config failed, its agent is unhealthy or its components fail —
   * and its current rates, all read from storage as of `query.asOfMs`, so replicas agree.
   */
  async listFleet(query: FleetQuery): Promise<FleetListItem[]> {
    const rows = await this.storage.collectors.listFleet(query);
    return rows.map((row) => {
      const rates = ratesAsOf(row.summary, query.asOfMs);
      const derived = deriveStatus(row.collector.status, { ...row.facts, rates });
      return {
        collector: row.collector,
        status: derived.status,
        statusReason: derived.reason,
        rates,
        sortValue: row.sortValue,
      };
    });
  }

  /** Every live collector as the fleet list shows it, paged through storage (the fleet topology). */
  async wholeFleet(asOfMs: number): Promise<FleetListItem[]> {
    const all: FleetListItem[] = [];
    const pageSize = 1000;
    for (;;) {
      const last = all.at(-1);
      const page = await this.listFleet({
        limit: pageSize,
        asOfMs,
        sort: 'createdAt',
        order: 'asc',
        ...(last ? { after: { value: last.sortValue, id: last.collector.id } } : {}),
      });
      all.push(...page);
      if (page.length < pageSize) return all;
    }
  }

  /** One collector as the fleet list shows it (derived status, rates); not-found when absent. */
  async fleetItem(id: string, asOfMs: number): Promise<FleetListItem> {
    const [item] = await this.listFleet({
      ids: [id],
      includeDeregistered: true,
      asOfMs,
      limit: 1,
      sort: 'createdAt',
      order: 'asc',
    });
    if (!item) throw notFound('collector');
    return item;
  }

  /** The fleet list's counts per derived status (every filter of `query` but its statuses). */
  countFleetByStatus(
    query: Omit<FleetQuery, 'sort' | 'order' | 'limit' | 'after' | 'statuses'>,
  ): Promise<Partial<Record<CollectorStatus, number>>> {
    return this.storage.collectors.countFleetByStatus(query);
  }

  /**
   * Mints a fresh bearer for a collector and revokes the ones it had (an explicit re-mint, e.g.
   * from the Alloy tab: the old paste stops working). Rotation with a grace period is separate.
   */
  async mintBearer(
    context: RequestContext,
    collectorId: string,
    stores: FleetStores = this.storage,
  ): Promise<string> {
    const collector = await stores.collectors.get(collectorId);
    if (!collector || collector.deregisteredAtMs !== null) throw notFound('collector');
    const token = mintCredential('collector');
    const nowMs = this.clock.nowMs();
    const work = async (tx: FleetStores) => {
      await tx.credentials.revokeForCollector(collectorId, nowMs, 'collector');
      await insertBearer(tx, { token, collectorId, actor: context.actor, nowMs, label: '' });
      await tx.events.append({
        collectorId,
        type: 'token_minted',
        atMs: nowMs,
        detail: `bearer ${displayPrefix(token)}`,
      });
      await tx.audit.append({
        atMs: nowMs,
        actor: context.actor,
        action: 'token.minted',
        target: `collector:${collectorId}`,
        sourceIp: context.sourceIp,
        detail: `collector bearer ${displayPrefix(token)}`,
      });
    };
    // Inside the caller's transaction (an enrolment), caches and connections learn of the
    // revocation only once it commits.
    const tell = (tx: FleetStores) =>
      tx.afterCommit(() => {
        for (const listener of this.listeners) listener.bearersRevoked?.(collectorId);
      });
    if (stores === this.storage)
      await this.storage.transaction(async (tx) => {
        await work(tx);
        tell(tx);
      });
    else {
      await work(stores);
      tell(stores);
    }
    return token;
  }

  /**
   * Rotation (ARCHITECTURE §2): mints a new bearer and keeps the current ones valid for
   * `graceSeconds` so nothing in flight is lost. OpAMP collectors receive it as a new offer and
   * must be connected for that; for the others the caller shows it once.
   */
  async rotateBearer(
    context: RequestContext,
    collectorId: string,
    graceSeconds: number,
  ): Promise<{ token: string; delivered: boolean }> {
    const collector = await this.storage.collectors.get(collectorId);
    if (!collector || collector.deregisteredAtMs !== null) throw notFound('collector');
    const token = mintCredential('collector');
    const nowMs = this.clock.nowMs();
    let credentialId = '';
    await this.storage.transaction(async (tx) => {
      // The telemetry token rendered into the collector's configs rotates with the bearer: it
      // keeps working through the same grace, and the next render mints its successor.
      const current = [
        ...(await tx.credentials.list({ kind: 'collector', collectorId, limit: 50 })),
        ...(await tx.credentials.list({ kind: 'telemetry', collectorId, limit: 50 })),
      ];
      for (const credential of current) {
        const live =
          credential.revokedAtMs === null &&
          (credential.expiresAtMs === null || credential.expiresAtMs > nowMs);
        if (live) await tx.credentials.setExpiry(credential.id, nowMs + graceSeconds * 1000);
      }
      credentialId = await insertBearer(tx, {
        token,
        collectorId,
        actor: context.actor,
        nowMs,
        label: 'rotated',
      });
      await tx.events.append({
        collectorId,
        type: 'token_rotated',
        atMs: nowMs,
        detail: `new bearer ${displayPrefix(token)}; previous valid for ${graceSeconds} s`,
      });
      await tx.audit.append({
        atMs: nowMs,
        actor: context.actor,
        action: 'token.rotated',
        target: `collector:${collectorId}`,
        sourceIp: context.sourceIp,
        detail: `collector bearer ${displayPrefix(token)}`,
      });
    });
    const facts: RotationFacts = {
      credentialId,
      rotatedAtMs: nowMs,
      previousValidUntilMs: nowMs + graceSeconds * 1000,
    };
    let delivered = false;
    for (const listener of this.listeners)
      delivered = ((await listener.bearerRotated?.(collectorId, token, facts)) ?? false) || delivered;
    return { token, delivered };
  }

  /**
   * Checks an `Authorization` header value for a collector bearer. Only shape, existence,
   * revocation and expiry are checked here; whether the collector still exists is the caller's
   * next step (dispatch), so the two failures can be told apart.
   */
  async verifyBearer(authorization: string | undefined): Promise<BearerVerification> {
    const token = bearerFrom(authorization);
    // A collector bearer, or a telemetry token (which CollectorAuthenticator admits for OTLP only).
    const kind = token === undefined ? undefined : collectorTokenKind(token);
    if (token === undefined || kind === undefined) {
      return {
        ok: false,
        reason: token === undefined ? 'missing_or_malformed_bearer' : 'token_unknown_or_revoked_or_expired',
      };
    }
    const record = await this.storage.credentials.findByHash(hashCredential(token));
    const nowMs = this.clock.nowMs();
    if (record?.kind !== kind || record.collectorId === null) {
      return { ok: false, reason: 'token_unknown_or_revoked_or_expired' };
    }
    if (record.revokedAtMs !== null || (record.expiresAtMs !== null && record.expiresAtMs <= nowMs)) {
      // One of its own old bearers: the collector's diagnosis can say so.
      return { ok: false, reason: 'token_unknown_or_revoked_or_expired', collectorId: record.collectorId };
    }
    if (record.lastUsedAtMs === null || nowMs - record.lastUsedAtMs > 60_000) {
      await this.storage.credentials.touch(record.id, nowMs);
    }
    return { ok: true, collectorId: record.collectorId, credentialId: record.id };
  }

  /** Deregisters: revokes every bearer at once, records `deregistered`, tells live connections. */
  async deregister(context: RequestContext, collectorId: string): Promise<void> {
    const nowMs = this.clock.nowMs();
    const changed = await this.storage.transaction(async (stores) => {
      const collector = await stores.collectors.get(collectorId);
      if (!collector) throw notFound('collector');
      if (!(await stores.collectors.markDeregistered(collectorId, nowMs))) return false;
      const revoked = await stores.credentials.revokeForCollector(collectorId, nowMs);
      await stores.throughput.deleteForCollector(collectorId);
      await stores.events.append({
        collectorId,
        type: 'deregistered',
        atMs: nowMs,
        detail: `by ${context.actor}; ${revoked} credential(s) revoked`,
      });
      await stores.audit.append({
        atMs: nowMs,
        actor: context.actor,
        action: 'collector.deregistered',
        target: `collector:${collectorId}`,
        sourceIp: context.sourceIp,
        detail: collector.name,
      });
      return true;
    });
    if (!changed) return;
    for (const listener of this.listeners) {
      listener.bearersRevoked?.(collectorId);
      listener.collectorDeregistered?.(collectorId);
    }
  }

  /**
   * Appends an event. Details often quote what a collector reported (an apply error, a remotecfg
   * id), so detail and dedupe key are redacted here, for every caller.
   */
  async recordEvent(collectorId: string, type: CollectorEventType, detail: string, dedupeKey?: string) {
    return this.storage.events.append({
      collectorId,
      type,
      atMs: this.clock.nowMs(),
      detail: this.redactReported(detail),
      ...(dedupeKey === undefined ? {} : { dedupeKey: this.redactReported(dedupeKey) }),
    });
  }

  async listEvents(
    collectorId: string,
    filter: { sinceMs: number; limit: number; types?: readonly CollectorEventType[] },
  ): Promise<CollectorEvent[]> {
    await this.get(collectorId);
    return this.storage.events.list(collectorId, filter);
  }
}

/**
 * The free-text facts an agent reports about itself, secrets redacted before they are stored.
 * `instanceUid` is an identity compared on every poll and is kept as reported.
 */
function reportedFacts<
  T extends {
    name?: string;
    hostname?: string | null | undefined;
    os?: string | null | undefined;
    arch?: string | null | undefined;
    version?: string | null | undefined;
  },
>(facts: T): T {
  const redacted = { ...facts };
  for (const key of ['name', 'hostname', 'os', 'arch', 'version'] as const) {
    const value = facts[key];
    if (typeof value === 'string') (redacted as Record<string, unknown>)[key] = redactSecrets(value);
  }
  return redacted;
}

/** FleetStores a new collector bearer (hash only). */
async function insertBearer(
  stores: FleetStores,
  bearer: { token: string; collectorId: string; actor: string; nowMs: number; label: string },
): Promise<string> {
  const id = newId();
  await stores.credentials.insert({
    id,
    kind: 'collector',
    hash: hashCredential(bearer.token),
    displayPrefix: displayPrefix(bearer.token),
    collectorId: bearer.collectorId,
    userId: null,
    serviceAccountId: null,
    createdBy: bearer.actor,
    createdAtMs: bearer.nowMs,
    expiresAtMs: null,
    label: bearer.label,
  });
  return id;
}

/** Extracts the token of `Authorization: Bearer <token>`; undefined when absent or malformed. */
export function bearerFrom(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return match?.[1];
}

/** The credential kind a collector-side token claims by its prefix, if it is one of the two. */
export function collectorTokenKind(token: string): 'collector' | 'telemetry' | undefined {
  if (looksLikeCredential(token, 'collector')) return 'collector';
  if (looksLikeCredential(token, 'telemetry')) return 'telemetry';
  return undefined;
}
