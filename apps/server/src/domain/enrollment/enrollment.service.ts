import type { AuthThrottle } from '../shared/auth-throttle.ts';
import type { Clock } from '../shared/clock.ts';
import type { CredentialRecord } from '../shared/credential.types.ts';
import { displayPrefix, hashCredential, looksLikeCredential, mintCredential } from '../shared/credentials.ts';
import { DomainError, invalid, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { FleetStoreName } from '../fleet/fleet.service.ts';
import type { StorageOf, StoresOf } from '../shared/storage.port.ts';

/** Enrolment redeems a token and creates the collector in one transaction: the fleet's stores too. */
export type EnrollmentStoreName = FleetStoreName | 'credentials' | 'audit';
type EnrollmentStores = StoresOf<EnrollmentStoreName>;

export interface EnrollmentSettings {
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
}

export type EnrollmentTokenStatus = 'active' | 'expired' | 'used' | 'revoked';

export interface EnrollmentTokenView {
  readonly id: string;
  readonly prefix: string;
  readonly createdAtMs: number;
  readonly createdBy: string;
  readonly expiresAtMs: number;
  readonly usedAtMs: number | null;
  readonly revokedAtMs: number | null;
  readonly collectorId: string | null;
  readonly status: EnrollmentTokenStatus;
}

/** Result of a redemption: the collector the token created (or created earlier for the same binding). */
export interface Redemption {
  readonly collectorId: string;
  /** false when the same instance came back with the token it already redeemed. */
  readonly created: boolean;
}

export const minEnrollmentTtlSeconds = 60;

/** The enrollment-token check's one result; redemption paths map it to their wire. */
export type EnrollmentAuth =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason:
        'missing_or_malformed_bearer' | 'token_unknown_or_revoked_or_expired' | 'enrollment_token_reused';
    }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAfterSeconds: number };

/**
 * Enrollment tokens (ARCHITECTURE §2): `lmet_`, short-lived, single use. Redemption rules:
 * - unknown, revoked or expired (and never redeemed) → unauthenticated (HTTP 401);
 * - redeemed for binding X, presented again for binding X before that collector has taken its
 *   own bearer → accepted, same collector (a supervisor reconnecting mid-enrolment);
 * - redeemed, presented for a different binding → gone (HTTP 410).
 */
export class EnrollmentService {
  constructor(
    private readonly storage: StorageOf<EnrollmentStoreName>,
    private readonly clock: Clock,
    private readonly settings: EnrollmentSettings,
    private readonly throttle: AuthThrottle,
  ) {}

  /** Whether `ip` may try an enrollment token now (for a path that reads its token from a body). */
  throttleVerdict(ip: string): EnrollmentAuth {
    const waitSeconds = this.throttle.retryAfterSeconds('enrollment', ip);
    return waitSeconds > 0
      ? { ok: false, reason: 'throttled', retryAfterSeconds: waitSeconds }
      : { ok: true };
  }

  /**
   * The enrollment-token check of every redemption path (OpAMP first contact, Managed
   * bootstrap), made before any body is read: throttled per address, then {@link precheck}.
   */
  async authenticate(token: string | undefined, ip: string): Promise<EnrollmentAuth> {
    const waitSeconds = this.throttle.retryAfterSeconds('enrollment', ip);
    if (waitSeconds > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: waitSeconds };
    if (token === undefined) {
      this.throttle.recordFailure('enrollment', ip);
      return { ok: false, reason: 'missing_or_malformed_bearer' };
    }
    const verdict = await this.precheck(token);
    if (verdict === 'usable') return { ok: true };
    this.throttle.recordFailure('enrollment', ip);
    return {
      ok: false,
      reason: verdict === 'gone' ? 'enrollment_token_reused' : 'token_unknown_or_revoked_or_expired',
    };
  }

  async mint(
    context: RequestContext,
    input: { ttlSeconds?: number | undefined },
  ): Promise<{ id: string; token: string; expiresAtMs: number }> {
    const ttlSeconds = input.ttlSeconds ?? this.settings.defaultTtlSeconds;
    if (
      !Number.isInteger(ttlSeconds) ||
      ttlSeconds < minEnrollmentTtlSeconds ||
      ttlSeconds > this.settings.maxTtlSeconds
    ) {
      throw invalid(
        'ttlSeconds',
        `ttlSeconds must be an integer between ${minEnrollmentTtlSeconds} and ${this.settings.maxTtlSeconds}`,
      );
    }
    const token = mintCredential('enrollment');
    const nowMs = this.clock.nowMs();
    const id = newId();
    const expiresAtMs = nowMs + ttlSeconds * 1000;
    await this.storage.transaction(async (stores) => {
      await stores.credentials.insert({
        id,
        kind: 'enrollment',
        hash: hashCredential(token),
        displayPrefix: displayPrefix(token),
        collectorId: null,
        userId: null,
        serviceAccountId: null,
        createdBy: context.actor,
        createdAtMs: nowMs,
        expiresAtMs,
        label: '',
      });
      await stores.audit.append({
        atMs: nowMs,
        actor: context.actor,
        action: 'token.minted',
        target: `enrollment-token:${id}`,
        sourceIp: context.sourceIp,
        detail: `expires ${new Date(expiresAtMs).toISOString()}`,
      });
    });
    return { id, token, expiresAtMs };
  }

  async list(limit: number): Promise<EnrollmentTokenView[]> {
    const records = await this.storage.credentials.list({ kind: 'enrollment', limit });
    return records.map((record) => this.view(record));
  }

  async revoke(context: RequestContext, id: string): Promise<void> {
    const record = await this.storage.credentials.findById(id);
    if (record?.kind !== 'enrollment') throw notFound('enrollment token');
    const nowMs = this.clock.nowMs();
    await this.storage.transaction(async (stores) => {
      const revoked = await stores.credentials.revoke(id, nowMs);
      if (!revoked) return;
      await stores.audit.append({
        atMs: nowMs,
        actor: context.actor,
        action: 'token.revoked',
        target: `enrollment-token:${id}`,
        sourceIp: context.sourceIp,
        detail: '',
      });
    });
  }

  /**
   * Redeems `token` for `bindingKey` (an OpAMP instance uid, a host key). On first redemption
   * `createCollector` runs inside the same transaction that marks the token used, so a token
   * can never create two collectors even when two hosts race.
   */
  async redeem(
    token: string,
    bindingKey: string,
    createCollector: (stores: EnrollmentStores) => Promise<string>,
  ): Promise<Redemption> {
    if (!looksLikeCredential(token, 'enrollment')) {
      throw new DomainError('unauthenticated', 'enrollment token unknown, revoked or expired');
    }
    const hash = hashCredential(token);
    const record = await this.storage.credentials.findByHash(hash);
    if (record?.kind !== 'enrollment' || record.revokedAtMs !== null) {
      throw new DomainError('unauthenticated', 'enrollment token unknown, revoked or expired');
    }
    if (record.usedAtMs !== null) return this.redeemAgain(record, bindingKey);
    if (record.expiresAtMs !== null && record.expiresAtMs <= this.clock.nowMs()) {
      throw new DomainError('unauthenticated', 'enrollment token unknown, revoked or expired');
    }
    const nowMs = this.clock.nowMs();
    const outcome = await this.storage
      .transaction(async (stores) => {
        const collectorId = await createCollector(stores);
        const won = await stores.credentials.markRedeemed(record.id, bindingKey, collectorId, nowMs);
        if (!won) throw new LostRedemptionRace();
        return collectorId;
      })
      .catch((error: unknown) => {
        if (error instanceof LostRedemptionRace) return undefined;
        throw error;
      });
    if (outcome !== undefined) return { collectorId: outcome, created: true };
    // Another redemption committed first: judge this one against what it bound.
    const winner = await this.storage.credentials.findById(record.id);
    if (!winner) throw new DomainError('unauthenticated', 'enrollment token unknown, revoked or expired');
    return this.redeemAgain(winner, bindingKey);
  }

  /**
   * What a redemption would say before the binding is known (an OpAMP WebSocket upgrade carries
   * no instance uid): `unauthenticated`, `gone` when no instance can use the token any more, or
   * `usable` (fresh, or bound and its collector has not taken its own bearer yet).
   */
  async precheck(token: string): Promise<'usable' | 'unauthenticated' | 'gone'> {
    if (!looksLikeCredential(token, 'enrollment')) return 'unauthenticated';
    const record = await this.storage.credentials.findByHash(hashCredential(token));
    if (record?.kind !== 'enrollment' || record.revokedAtMs !== null) return 'unauthenticated';
    if (record.usedAtMs === null) {
      return record.expiresAtMs !== null && record.expiresAtMs <= this.clock.nowMs()
        ? 'unauthenticated'
        : 'usable';
    }
    if (record.boundTo === null) return 'gone';
    try {
      await this.redeemAgain(record, record.boundTo);
      return 'usable';
    } catch (error) {
      return error instanceof DomainError && error.kind === 'gone' ? 'gone' : 'unauthenticated';
    }
  }

  private async redeemAgain(record: CredentialRecord, bindingKey: string): Promise<Redemption> {
    const collectorId = record.collectorId;
    if (record.boundTo !== bindingKey || collectorId === null) {
      throw new DomainError('gone', 'enrollment token was already used by another collector');
    }
    const collector = await this.storage.collectors.get(collectorId);
    if (!collector || collector.deregisteredAtMs !== null) {
      throw new DomainError('unauthenticated', 'enrollment token unknown, revoked or expired');
    }
    const bearers = await this.storage.credentials.list({ kind: 'collector', collectorId, limit: 20 });
    if (bearers.some((bearer) => bearer.lastUsedAtMs !== null)) {
      // The collector has switched to its own bearer: the enrollment token's job is done.
      throw new DomainError('gone', 'enrollment token was already used; the collector has its own bearer');
    }
    return { collectorId, created: false };
  }

  private view(record: CredentialRecord): EnrollmentTokenView {
    const expiresAtMs = record.expiresAtMs ?? 0;
    const status: EnrollmentTokenStatus =
      record.revokedAtMs !== null
        ? 'revoked'
        : record.usedAtMs !== null
          ? 'used'
          : expiresAtMs <= this.clock.nowMs()
            ? 'expired'
            : 'active';
    return {
      id: record.id,
      prefix: record.displayPrefix,
      createdAtMs: record.createdAtMs,
      createdBy: record.createdBy,
      expiresAtMs,
      usedAtMs: record.usedAtMs,
      revokedAtMs: record.revokedAtMs,
      collectorId: record.collectorId,
      status,
    };
  }
}

class LostRedemptionRace extends Error {}
