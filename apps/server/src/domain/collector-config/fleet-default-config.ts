import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { Clock } from '../shared/clock.ts';
import { invalid } from '../shared/errors.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { StorageOf } from '../shared/storage.port.ts';

const fleetDefaultKey = 'otel_default_config';
const maxConfigBytes = 1024 * 1024;

/**
 * The operator's fleet-default OTel YAML: what every otelcol collector runs until a pipeline
 * targets it (the built-in baseline when unset). Storage is the truth; each replica keeps a copy
 * because every render reads it, and re-reads it every few seconds (jobs/desired-config-refresh)
 * so a change made on another replica reaches this one's agents.
 */
export class FleetDefaultConfig {
  private yaml: string | undefined;
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly storage: StorageOf<'settings' | 'audit'>,
    private readonly clock: Clock,
  ) {}

  current(): string | undefined {
    return this.yaml;
  }

  /** Runs `listener` when the fleet default changes (here, or seen in a refresh). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Re-reads the stored default; resolves true (and tells the listeners) when it changed. */
  async refresh(): Promise<boolean> {
    const stored = (await this.storage.settings.get(fleetDefaultKey)) || undefined;
    if (stored === this.yaml) return false;
    this.yaml = stored;
    for (const listener of this.listeners) listener();
    return true;
  }

  /**
   * Sets (or with `null` clears) the default. Validated: a YAML mapping, at most 1 MiB, and no
   * `service::telemetry` — that section belongs to the own_metrics offer, and remote config
   * would overwrite it.
   */
  async set(context: RequestContext, yaml: string | null): Promise<void> {
    if (yaml !== null) validateOtelYaml(yaml);
    const nowMs = this.clock.nowMs();
    await this.storage.transaction(async (stores) => {
      await stores.settings.set(fleetDefaultKey, yaml ?? '');
      await stores.audit.append({
        atMs: nowMs,
        actor: context.actor,
        action: 'config.default_changed',
        target: 'otel-default-config',
        sourceIp: context.sourceIp,
        detail:
          yaml === null
            ? 'reset to the built-in baseline'
            : `sha256 ${createHash('sha256').update(yaml, 'utf8').digest('hex').slice(0, 12)}`,
      });
    });
    this.yaml = yaml ?? undefined;
    for (const listener of this.listeners) listener();
  }
}

function validateOtelYaml(yaml: string): void {
  if (Buffer.byteLength(yaml, 'utf8') > maxConfigBytes) throw invalid('yaml', 'config must be at most 1 MiB');
  let parsed: unknown;
  try {
    parsed = parseYaml(yaml, { strict: true, uniqueKeys: true });
  } catch (error) {
    throw invalid('yaml', `config is not valid YAML: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('yaml', 'config must be a YAML mapping (receivers, processors, exporters, service …)');
  }
  const service = (parsed as Record<string, unknown>).service;
  if (typeof service === 'object' && service !== null && 'telemetry' in service) {
    throw invalid(
      'yaml',
      'service::telemetry is managed by LinkMesh (own_metrics offer); remove it from the config',
    );
  }
}
