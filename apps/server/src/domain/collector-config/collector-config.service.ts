import type { Refusal } from '@linkmesh/pipelines/render-input';
import type { LRUCache } from 'lru-cache';
import type { Collector } from '../fleet/collector.types.ts';
import type { FleetListener, FleetService } from '../fleet/fleet.service.ts';
import { boundedCache, ttlCache } from '../shared/bounded-cache.ts';
import type { Clock } from '../shared/clock.ts';
import { conflict, notFound } from '../shared/errors.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { StorageOf } from '../shared/storage.port.ts';
import { ConfigDiffs } from './config-diff.ts';
import { contentHash, masked, materialize, MissingSecretError } from './config-template.ts';
import type { ApplyStatus, ConfigFormat, ConfigState, ConfigVersion } from './config-version.types.ts';

/** A config as rendered from the objects: template (secrets as placeholders) and the secrets. */
export interface RenderedTemplate {
  readonly format: ConfigFormat;
  readonly template: string;
  readonly secrets: ReadonlyMap<string, string>;
  /**
   * Routes that target the collector but cannot run on it. The collector then keeps the version
   * it has; `template` is what it runs when it has none yet (as if no route targeted it).
   */
  readonly refusals?: readonly Refusal[] | undefined;
}

/** Renders what a collector should run from the current objects (pure apart from secret lookups). */
export type RenderConfig = (collector: Collector) => Promise<RenderedTemplate>;

/** What goes out to a collector now. */
export interface DeliveredConfig {
  readonly collectorId: string;
  readonly version: number;
  readonly format: ConfigFormat;
  /** The content with its secrets: only for the wire, never stored, logged or shown. */
  readonly content: string;
  readonly hashHex: string;
  readonly hash: Uint8Array;
}

export interface CollectorConfigSettings {
  /**
   * How long a collector's delivered config is reused before it is rendered again. Changes
   * made on this replica drop the entry at once; another replica's edits are seen within this.
   */
  readonly cacheTtlMs: number;
  readonly maxCachedCollectors: number;
}

/**
 * Config versions per collector and their delivery state, the same for every runtime and
 * protocol (issue #11 item 5): each render from the objects that changes what a collector gets
 * becomes a new version (number, hash, author, reason, diff); a rollback re-delivers an earlier
 * one and holds until the next change; apply status comes from whatever the collector reports
 * (OpAMP remote_config_status, Alloy's remotecfg status), mapped to the version by its hash.
 */
export class CollectorConfigService implements FleetListener {
  private readonly delivered: LRUCache<string, DeliveredConfig>;
  private readonly listeners: Array<(collectorId?: string) => void> = [];
  private readonly diffs = new ConfigDiffs();
  /**
   * Bumped by every change. A render begun at generation g is stale once a change to every
   * collector, or to its own collector, came after g (collectors last changed, bounded: an entry
   * evicted by 10,000 younger changes belongs to no render still under way).
   */
  private generation = 0;
  private fleetChangedAt = 0;
  private readonly collectorChangedAt = boundedCache<string, number>(10_000);

  constructor(
    private readonly storage: StorageOf<'configVersions' | 'audit'>,
    private readonly clock: Clock,
    private readonly fleet: FleetService,
    private readonly render: RenderConfig,
    settings: CollectorConfigSettings,
  ) {
    this.delivered = ttlCache(clock, {
      maxEntries: settings.maxCachedCollectors,
      ttlMs: settings.cacheTtlMs,
    });
  }

  /**
   * The config this collector should run, rendered again when the cached one is older than the
   * TTL; a render that differs from the last one becomes a new version.
   *
   * A change (`changed`) that lands while this renders makes the render stale: it is neither
   * cached nor written as a version when the change came first, and is redone when the change
   * came after it was written, so the newest objects win (the fan-out yields mid-walk, so a
   * second change can arrive while the first is being delivered).
   */
  async current(collector: Collector): Promise<DeliveredConfig> {
    for (let attempt = 1; ; attempt++) {
      const cached = this.delivered.get(collector.id);
      if (cached) return cached;
      const begun = this.generation;
      const isStale = () =>
        attempt < maxRenderAttempts &&
        (this.fleetChangedAt > begun || (this.collectorChangedAt.get(collector.id) ?? 0) > begun);
      const delivered = await this.renderCurrent(collector, isStale);
      if (delivered && !isStale()) return this.remember(delivered);
    }
  }

  /** One render of {@link current}; undefined when it went stale before its version was written. */
  private async renderCurrent(
    collector: Collector,
    isStale: () => boolean,
  ): Promise<readonly [ConfigVersion, Wire] | undefined> {
    const rendered = await this.render(collector);
    const state = await this.storage.configVersions.state(collector.id);
    if (rendered.refusals !== undefined && rendered.refusals.length > 0) {
      const reasons = rendered.refusals.map((r) => r.message).join('; ');
      await this.fleet.recordEvent(
        collector.id,
        'config_refused',
        state ? `${reasons}; the collector keeps config v${state.currentVersion}` : reasons,
        `config:refused:${contentHash(reasons)}`,
      );
      const held = state && (await this.versionOrThrow(collector.id, state.currentVersion));
      const heldWire = held && wireIfComplete({ ...held, secrets: rendered.secrets });
      // Held unless it names a secret that is gone (its destination deleted since): then the fallback.
      if (held && heldWire) return [held, heldWire];
    }
    const render = wire(rendered);
    const version = state && (await this.versionOrThrow(collector.id, state.currentVersion));
    // A rolled-back version holds until the render changes, unless it names a secret now gone.
    const kept =
      version && state.renderHash === render.hashHex
        ? version.template === rendered.template
          ? render
          : wireIfComplete({ ...version, secrets: rendered.secrets })
        : undefined;
    if (version && kept) return [version, kept];
    if (isStale()) return undefined;
    const next = await this.newVersion(collector.id, rendered, render, render.hashHex, {
      author: 'linkmesh:render',
      reason: state === undefined ? 'first render' : 'the objects targeting this collector changed',
    });
    return [next, render];
  }

  /** The cached delivery without storage (fleet-volume fast paths), or undefined. */
  peek(collectorId: string): DeliveredConfig | undefined {
    return this.delivered.get(collectorId);
  }

  /**
   * What collectors should run changed (the fleet default, an object edit, a rollback): cached
   * deliveries are dropped and the listeners told (OpAMP pushes at once; Alloy sees it on its
   * next poll). Undefined = every collector.
   */
  changed(collectorId?: string): void {
    this.generation += 1;
    if (collectorId === undefined) this.fleetChangedAt = this.generation;
    else this.collectorChangedAt.set(collectorId, this.generation);
    if (collectorId === undefined) this.delivered.clear();
    else this.delivered.delete(collectorId);
    for (const listener of this.listeners) listener(collectorId);
  }

  onChanged(listener: (collectorId?: string) => void): void {
    this.listeners.push(listener);
  }

  /** The telemetry token rotated with the bearer: the next render carries its successor. */
  bearerRotated(collectorId: string): boolean {
    this.changed(collectorId);
    return false;
  }

  /** Its labels or version changed: render again (the routes targeting it may differ). */
  renderInputsChanged(collectorId: string): void {
    this.changed(collectorId);
  }

  collectorDeregistered(collectorId: string): void {
    this.delivered.delete(collectorId);
  }

  async versions(
    collectorId: string,
    options: { limit: number; beforeVersion?: number },
  ): Promise<ConfigVersion[]> {
    return this.storage.configVersions.list(collectorId, options);
  }

  async version(collectorId: string, version: number): Promise<ConfigVersion | undefined> {
    return this.storage.configVersions.get(collectorId, version);
  }

  state(collectorId: string): Promise<ConfigState | undefined> {
    return this.storage.configVersions.state(collectorId);
  }

  /**
   * Re-delivers an earlier version as a new one (`rollback to vN`), which holds until the next
   * change to the objects targeting the collector.
   */
  async rollback(context: RequestContext, collector: Collector, toVersion: number): Promise<DeliveredConfig> {
    const target = await this.storage.configVersions.get(collector.id, toVersion);
    if (!target) throw notFound(`config version ${toVersion}`);
    const rendered = await this.render(collector);
    const again = { format: target.format, template: target.template, secrets: rendered.secrets };
    const delivery = wireIfComplete(again);
    if (!delivery)
      throw conflict(
        `config v${toVersion} sends to a source or destination that has been deleted since; it cannot be delivered again`,
      );
    const version = await this.newVersion(collector.id, again, delivery, wire(rendered).hashHex, {
      author: context.actor,
      reason: `rollback to v${toVersion}`,
    });
    await this.fleet.recordEvent(
      collector.id,
      'config_rolled_back',
      `config v${version.version} re-delivers v${toVersion}`,
    );
    await this.storage.audit.append({
      atMs: this.clock.nowMs(),
      actor: context.actor,
      action: 'config.rolled_back',
      target: `collector:${collector.id}`,
      sourceIp: context.sourceIp,
      detail: `v${version.version} re-delivers v${toVersion}`,
    });
    const delivered = this.remember([version, delivery]);
    for (const listener of this.listeners) listener(collector.id);
    return delivered;
  }

  /**
   * What a collector reported about a config it was given (both protocols): the status lands on
   * the collector's state when it names the current version, and `config_applied` /
   * `config_failed` events name the version, once per version and outcome.
   */
  async recordApply(
    collectorId: string,
    hashHex: string,
    status: ApplyStatus,
    errorMessage: string,
  ): Promise<void> {
    const version = await this.storage.configVersions.byHash(collectorId, hashHex);
    const state = await this.storage.configVersions.state(collectorId);
    const error = status === 'FAILED' ? this.fleet.redactReported(errorMessage).slice(0, 4000) : null;
    if (state && version?.version === state.currentVersion) {
      const unchanged =
        state.applyStatus === status && state.applyVersion === version.version && state.applyError === error;
      if (!unchanged)
        await this.storage.configVersions.setApply(collectorId, {
          status,
          version: version.version,
          error,
          atMs: this.clock.nowMs(),
        });
    }
    if (status === 'APPLYING') return;
    const name = version
      ? `config v${version.version} (${hashHex.slice(0, 12)})`
      : `config ${hashHex.slice(0, 12)}`;
    await this.fleet.recordEvent(
      collectorId,
      status === 'APPLIED' ? 'config_applied' : 'config_failed',
      status === 'APPLIED' ? `${name} applied` : `${name} failed: ${errorMessage}`,
      `config:${status}:${hashHex}`,
    );
  }

  /** The template of a version as operators see it (secrets masked). */
  static shown(version: ConfigVersion): string {
    return masked(version.template);
  }

  private async newVersion(
    collectorId: string,
    rendered: RenderedTemplate,
    { hashHex }: Wire,
    renderHash: string,
    cause: { author: string; reason: string },
  ): Promise<ConfigVersion> {
    return this.storage.transaction(async (stores) => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const previous = await stores.configVersions.latest(collectorId);
        if (previous?.hashHex === hashHex && previous.template === rendered.template) {
          await stores.configVersions.setCurrent(collectorId, previous.version, renderHash);
          return previous;
        }
        const version: ConfigVersion = {
          collectorId,
          version: (previous?.version ?? 0) + 1,
          hashHex,
          format: rendered.format,
          template: rendered.template,
          author: cause.author,
          reason:
            previous && previous.template === rendered.template
              ? `${cause.reason} (secrets only)`
              : cause.reason,
          diff: previous ? this.diffs.between(collectorId, previous, rendered.template) : '',
          createdAtMs: this.clock.nowMs(),
        };
        // Another replica may have taken this number a moment ago: read again and retry.
        if (await stores.configVersions.insert(version)) {
          await stores.configVersions.setCurrent(collectorId, version.version, renderHash);
          return version;
        }
      }
      throw new Error(`could not number a new config version of ${collectorId}`);
    });
  }

  private async versionOrThrow(collectorId: string, version: number): Promise<ConfigVersion> {
    const found = await this.storage.configVersions.get(collectorId, version);
    if (!found) throw new Error(`config state of ${collectorId} names missing version ${version}`);
    return found;
  }

  private remember([version, { content, hashHex }]: readonly [ConfigVersion, Wire]): DeliveredConfig {
    const delivered: DeliveredConfig = {
      collectorId: version.collectorId,
      version: version.version,
      format: version.format,
      content,
      hashHex,
      hash: new Uint8Array(Buffer.from(hashHex, 'hex')),
    };
    this.delivered.set(version.collectorId, delivered);
    return delivered;
  }
}

/** Renders of one collector in a row that a newer change may make stale before the last is kept. */
const maxRenderAttempts = 3;

/** A template's bytes on the wire (secrets in) and their hash, computed once per render. */
interface Wire {
  readonly content: string;
  readonly hashHex: string;
}

function wire(rendered: RenderedTemplate): Wire {
  const content = materialize(rendered.format, rendered.template, rendered.secrets);
  return { content, hashHex: contentHash(content) };
}

/** Like {@link wire}, or undefined when the template names a secret the server no longer has. */
function wireIfComplete(rendered: RenderedTemplate): Wire | undefined {
  try {
    return wire(rendered);
  } catch (error) {
    if (error instanceof MissingSecretError) return undefined;
    throw error;
  }
}
