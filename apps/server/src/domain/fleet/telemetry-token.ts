import { ttlCache } from '../shared/bounded-cache.ts';
import { displayPrefix, hashCredential, mintCredential } from '../shared/credentials.ts';
import type { FleetListener } from './fleet.service.ts';
import type { CredentialRecord, CredentialStore } from '../shared/credential.types.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { SecretBox } from '../shared/secret-box.ts';

/**
 * Each collector's telemetry token (`lmtt_`): the bearer inside the configs LinkMesh renders for
 * it, used by the host source and the self-telemetry exporters it configures. A rendered config
 * must carry a usable credential, and the server keeps collector bearers only as hashes, so this
 * narrower one is kept sealed with the server secret (decision 0018). It authenticates only
 * `POST /v1/metrics` for its collector — not OpAMP, remotecfg or the agent API — so a leaked
 * config lets one push metrics as that collector and nothing more. Deregistration revokes it
 * with the collector's other credentials.
 */
export class TelemetryTokens implements FleetListener {
  /**
   * Opened tokens, briefly: a reconnect storm renders every collector at once. Rotation here
   * drops the entry; one on another replica is seen within the TTL, well inside its grace.
   */
  private readonly opened;

  constructor(
    private readonly credentials: CredentialStore,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    settings: { readonly cacheTtlMs: number; readonly maxEntries: number } = {
      cacheTtlMs: 60_000,
      maxEntries: 200_000,
    },
  ) {
    this.opened = ttlCache<string, { token: string }>(clock, {
      maxEntries: settings.maxEntries,
      ttlMs: settings.cacheTtlMs,
    });
  }

  bearerRotated(collectorId: string): boolean {
    this.opened.delete(collectorId);
    return false;
  }

  collectorDeregistered(collectorId: string): void {
    this.opened.delete(collectorId);
  }

  /** The collector's live telemetry token, minted on first use. */
  async tokenFor(collectorId: string): Promise<string> {
    const cached = this.opened.get(collectorId);
    if (cached) return cached.token;
    const token = await this.liveOrMinted(collectorId);
    this.opened.set(collectorId, { token });
    return token;
  }

  private async liveOrMinted(collectorId: string): Promise<string> {
    const live = await this.live(collectorId);
    if (live) return this.box.open('telemetry-token', live.id, live.sealedValue ?? '');
    const token = mintCredential('telemetry');
    const id = newId();
    const nowMs = this.clock.nowMs();
    await this.credentials.insert({
      id,
      kind: 'telemetry',
      hash: hashCredential(token),
      displayPrefix: displayPrefix(token),
      collectorId,
      userId: null,
      serviceAccountId: null,
      createdBy: 'linkmesh:render',
      createdAtMs: nowMs,
      expiresAtMs: null,
      label: 'telemetry token (rendered into configs)',
      sealedValue: this.box.seal('telemetry-token', id, token),
    });
    // Two replicas rendering the same new collector at once may both mint: everyone settles
    // on the oldest live one, so the rendered config (and its hash) does not flip between them.
    const settled = await this.live(collectorId);
    return settled && settled.id !== id
      ? this.box.open('telemetry-token', settled.id, settled.sealedValue ?? '')
      : token;
  }

  private async live(collectorId: string): Promise<CredentialRecord | undefined> {
    const rows = await this.credentials.list({ kind: 'telemetry', collectorId, limit: 20 });
    return (
      rows
        // A token with an expiry was rotated out: it still verifies through its grace, but is no
        // longer rendered.
        .filter((r) => r.revokedAtMs === null && r.expiresAtMs === null && r.sealedValue)
        .sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id))[0]
    );
  }
}
