import type { NamingMismatchView } from '@linkmesh/contracts/topology-api';
import { parseComponentId } from '@linkmesh/pipelines/component-ids';
import type { LRUCache } from 'lru-cache';
import type { NewEvent } from '../fleet/collector.store.ts';
import type { ObjectSnapshot } from '../pipelines/object-snapshot.ts';
import { boundedCache, ttlCache } from '../shared/bounded-cache.ts';
import type { Clock } from '../shared/clock.ts';
import type { ComponentKind } from '../telemetry/self-metric-names.ts';
import type { ThroughputBatch } from '../telemetry/throughput.store.ts';
import { matchKey, nodeKindOf } from './topology-rates.ts';
import type { CollectorGraph } from './topology.service.ts';

/**
 * `component_naming_mismatch` (ARCHITECTURE §4, the troubleshooting page's Check 4): self-telemetry
 * that names a component the collector's current config does not have.
 *
 * - **orphan throughput**: the component maps, through the component-ID scheme, to a LinkMesh
 *   object that no longer exists (a destination deleted while the collector kept pushing for it):
 *   no edge anywhere can claim its rows, which clear by the 24 h TTL.
 * - **unknown component**: anything else not in the config — a hand-written name, or an object
 *   still there but no longer in this collector's config (a manual edit, or an older config still
 *   active because reload did not fire).
 *
 * LinkMesh's own self-telemetry and host components are never a mismatch. A rendered config is
 * only checked once the collector has applied it and {@link namingGraceMs} has passed: until its
 * reload, a collector still pushes the components of the config before.
 */
export const namingGraceMs = 60_000;

export function namingSettled(
  current: Pick<CollectorGraph, 'inForceSinceMs'>,
  nowMs: number,
  graceMs = namingGraceMs,
): boolean {
  return current.inForceSinceMs !== null && nowMs - current.inForceSinceMs >= graceMs;
}

/**
 * @example
 * mismatchOf('exporter', 'otlphttp/dst_gone', snapshot) // { detail: 'orphan throughput', … } once dst "gone" is deleted
 * mismatchOf('receiver', 'otlp/hand_edit', snapshot)   // { detail: 'unknown component', … }
 */
export function mismatchOf(
  kind: ComponentKind,
  componentId: string,
  snapshot: Pick<ObjectSnapshot, 'get'>,
): NamingMismatchView | undefined {
  const parsed = parseComponentId(componentId);
  if (parsed.kind === 'internal') return undefined;
  const gone = 'objectId' in parsed && snapshot.get(parsed.objectId) === undefined;
  return { detail: gone ? 'orphan throughput' : 'unknown component', kind, componentId };
}

/** One finding per component (a component reports one series per signal). */
export function mismatchesOf(
  series: readonly { kind: ComponentKind; componentId: string }[],
  snapshot: Pick<ObjectSnapshot, 'get'>,
): NamingMismatchView[] {
  const found = new Map<string, NamingMismatchView>();
  for (const s of series) {
    const mismatch = mismatchOf(s.kind, s.componentId, snapshot);
    if (mismatch) found.set(`${s.kind}\u0000${s.componentId}`, mismatch);
  }
  return [...found.values()];
}

export interface NamingCheckSettings {
  /** Pushes are checked in rounds this far apart (a collector pushes every ~30 s). */
  readonly checkIntervalMs: number;
  /** A component found in the config is not looked at again for this long (unless the config changes). */
  readonly recheckAfterMs: number;
  readonly graceMs: number;
}

export const defaultNamingCheckSettings: NamingCheckSettings = {
  checkIntervalMs: 5_000,
  recheckAfterMs: 5 * 60_000,
  graceMs: namingGraceMs,
};

/** Components of one push a collector may have checked in a round (the rest wait for the next). */
const maxComponentsPerRound = 500;

/**
 * Checks what collectors push against what they run, off the ingest's commit path: a committed
 * push only notes its component names; a timer round resolves each collector's config graph —
 * only when it pushed a name not checked recently — and records one event per collector,
 * component and config version (the event store's dedupe key; never one per push).
 */
export class NamingMismatchDetector {
  private pending = new Map<string, Map<string, ComponentKind>>();
  /** collector → component keys found in its config recently. */
  private readonly checked: LRUCache<string, Set<string>>;
  /** Dedupe keys already written by this replica. */
  private readonly recorded = boundedCache<string, true>(200_000);
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      readonly clock: Clock;
      /** The collector's current graph; undefined for a collector gone since its push. */
      readonly graphOf: (collectorId: string) => Promise<CollectorGraph | undefined>;
      readonly record: (event: NewEvent) => Promise<unknown>;
      readonly onError: (error: unknown) => void;
    },
    private readonly settings: NamingCheckSettings = defaultNamingCheckSettings,
  ) {
    this.checked = ttlCache(deps.clock, { maxEntries: 200_000, ttlMs: settings.recheckAfterMs });
  }

  /** Notes the components of committed pushes (cheap: the commit path calls it). */
  observe(batches: readonly ThroughputBatch[]): void {
    for (const batch of batches) {
      const known = this.checked.get(batch.collectorId);
      let names = this.pending.get(batch.collectorId);
      for (const sample of batch.samples) {
        const key = `${sample.kind}\u0000${sample.componentId}`;
        if (known?.has(key)) continue;
        names ??= new Map();
        if (names.size >= maxComponentsPerRound) break;
        names.set(key, sample.kind);
      }
      if (names && names.size > 0) this.pending.set(batch.collectorId, names);
    }
    if (this.pending.size > 0) this.schedule();
  }

  /** A collector's config changed: what it pushes is checked again. */
  configChanged(collectorId?: string): void {
    if (collectorId === undefined) this.checked.clear();
    else this.checked.delete(collectorId);
  }

  /** Runs a round now (tests, shutdown) and waits for it. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
    this.round = this.checkPending();
    await this.round;
  }

  stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.round;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.round = this.round.then(() => this.checkPending());
    }, this.settings.checkIntervalMs);
    this.timer.unref();
  }

  private async checkPending(): Promise<void> {
    const round = this.pending;
    this.pending = new Map();
    for (const [collectorId, names] of round) {
      try {
        await this.check(collectorId, names);
      } catch (error) {
        this.deps.onError(error);
      }
      // One collector at a time, yielding between them: a round never holds the event loop.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async check(collectorId: string, names: Map<string, ComponentKind>): Promise<void> {
    const current = await this.deps.graphOf(collectorId);
    const nowMs = this.deps.clock.nowMs();
    if (!current || !namingSettled(current, nowMs, this.settings.graceMs)) return;
    const inConfig = new Set(current.graph.nodes.map((n) => matchKey(n.kind, n.componentId)));
    const checked = this.checked.get(collectorId) ?? new Set<string>();
    // Every name is looked at again after `recheckAfterMs` or a config change; events stay one
    // per collector, component and config version whatever the rounds.
    for (const [key, kind] of names) {
      const componentId = key.slice(key.indexOf('\u0000') + 1);
      if (inConfig.has(matchKey(nodeKindOf[kind], componentId))) {
        checked.add(key);
        continue;
      }
      checked.add(key);
      const mismatch = mismatchOf(kind, componentId, current.snapshot);
      if (!mismatch) continue;
      const dedupeKey = `naming:${current.configKey}:${mismatch.detail}:${kind}:${componentId}`;
      if (this.recorded.get(`${collectorId}\u0000${dedupeKey}`)) continue;
      await this.deps.record({
        collectorId,
        type: 'component_naming_mismatch',
        atMs: nowMs,
        detail: `${mismatch.detail}: ${kind} ${componentId} is not in the collector's config (${current.configKey})`,
        dedupeKey,
      });
      this.recorded.set(`${collectorId}\u0000${dedupeKey}`, true);
    }
    this.checked.set(collectorId, checked);
  }
}
