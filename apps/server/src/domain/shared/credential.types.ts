/**
 * Every credential kind lives in one table so that a bearer is resolved with one lookup by hash.
 * Only the SHA-256 digest is stored.
 */
export type CredentialRowKind = 'enrollment' | 'collector' | 'telemetry' | 'service_account' | 'session';

export interface CredentialRecord {
  readonly id: string;
  readonly kind: CredentialRowKind;
  readonly hash: string;
  readonly displayPrefix: string;
  readonly collectorId: string | null;
  readonly userId: string | null;
  readonly serviceAccountId: string | null;
  readonly createdBy: string;
  readonly createdAtMs: number;
  /** null = never expires. */
  readonly expiresAtMs: number | null;
  readonly revokedAtMs: number | null;
  /** Enrollment tokens: when first redeemed. */
  readonly usedAtMs: number | null;
  /** Enrollment tokens: what the redemption bound the token to (an OpAMP instance uid, a host key). */
  readonly boundTo: string | null;
  readonly lastUsedAtMs: number | null;
  readonly label: string;
  /** Telemetry tokens: the token sealed with the server secret (rendered into configs). */
  readonly sealedValue: string | null;
}

export type NewCredential = Omit<
  CredentialRecord,
  'revokedAtMs' | 'usedAtMs' | 'boundTo' | 'lastUsedAtMs' | 'sealedValue'
> & { readonly sealedValue?: string };

export interface CredentialStore {
  insert(credential: NewCredential): Promise<void>;
  findByHash(hash: string): Promise<CredentialRecord | undefined>;
  findById(id: string): Promise<CredentialRecord | undefined>;
  list(filter: {
    kind: CredentialRowKind;
    collectorId?: string;
    serviceAccountId?: string;
    limit: number;
  }): Promise<CredentialRecord[]>;
  revoke(id: string, atMs: number): Promise<boolean>;
  /** Revokes the live credentials of a collector (of one kind, or all); returns how many were revoked. */
  revokeForCollector(collectorId: string, atMs: number, kind?: CredentialRowKind): Promise<number>;
  /** Shortens the life of a credential (rotation grace, sliding sessions). */
  setExpiry(id: string, expiresAtMs: number | null): Promise<void>;
  /**
   * Marks an enrollment token redeemed and bound, only if it has not been redeemed yet.
   * Returns false when another redemption won the race.
   */
  markRedeemed(id: string, boundTo: string, collectorId: string, atMs: number): Promise<boolean>;
  touch(id: string, atMs: number): Promise<void>;
  /** Deletes expired sessions and long-dead tokens older than the cut-off; returns the count. */
  deleteExpiredBefore(kind: CredentialRowKind, cutoffMs: number): Promise<number>;
}
