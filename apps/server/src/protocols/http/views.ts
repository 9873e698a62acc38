import type {
  AuditEntryView,
  CollectorEventView,
  CollectorView,
  CredentialView,
  EnrollmentTokenView,
  RoleView,
  ServiceAccountView,
  UserView,
} from '@linkmesh/contracts/api';
import type { AuditEntry } from '../../domain/auth/auth.store.ts';
import type { Role, ServiceAccount, User } from '../../domain/auth/auth.types.ts';
import type { EnrollmentTokenView as DomainEnrollmentTokenView } from '../../domain/enrollment/enrollment.service.ts';
import type { Collector, CollectorEvent } from '../../domain/fleet/collector.types.ts';
import type { FleetListItem } from '../../domain/fleet/fleet-list.types.ts';
import type { CredentialRecord } from '../../domain/shared/credential.types.ts';

/** Domain records → JSON views (ISO timestamps, no hashes). */
export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/**
 * A collector as the API shows it. Without `listed` (a record just created) the status is the
 * stored one and there are no rates yet.
 */
export function collectorView(
  c: Collector,
  listed?: Omit<FleetListItem, 'collector' | 'sortValue'>,
): CollectorView {
  return {
    id: c.id,
    name: c.name,
    runtime: c.runtime,
    mode: c.mode,
    status: listed?.status ?? c.status,
    statusReason: listed?.statusReason ?? null,
    recordsInPerSec: listed?.rates.recordsInPerSec ?? null,
    recordsOutPerSec: listed?.rates.recordsOutPerSec ?? null,
    errorsPerSec: listed?.rates.errorsPerSec ?? null,
    ratesMissingReason: listed ? listed.rates.missingReason : 'no_self_telemetry',
    lastSeenAt: isoOrNull(c.lastSeenAtMs),
    version: c.version,
    hostname: c.hostname,
    os: c.os,
    arch: c.arch,
    labels: { ...c.labels },
    instanceUid: c.instanceUid,
    createdAt: iso(c.createdAtMs),
    deregisteredAt: isoOrNull(c.deregisteredAtMs),
    hostCpuPercent: c.hostCpuPercent,
    hostMemoryPercent: c.hostMemoryPercent,
    cpuPercent: c.cpuPercent,
    memoryMb: c.memoryMb,
    uptimeSeconds: c.uptimeSeconds,
    restartCount: c.restartCount,
  };
}

export const eventView = (e: CollectorEvent): CollectorEventView => ({
  id: e.id,
  type: e.type,
  at: iso(e.atMs),
  detail: e.detail,
});

export const enrollmentTokenView = (t: DomainEnrollmentTokenView): EnrollmentTokenView => ({
  id: t.id,
  prefix: t.prefix,
  createdAt: iso(t.createdAtMs),
  createdBy: t.createdBy,
  expiresAt: iso(t.expiresAtMs),
  usedAt: isoOrNull(t.usedAtMs),
  revokedAt: isoOrNull(t.revokedAtMs),
  collectorId: t.collectorId,
  status: t.status,
});

export const userView = (u: User, roles: string[]): UserView => ({
  id: u.id,
  username: u.username,
  roles,
  createdAt: iso(u.createdAtMs),
  disabledAt: isoOrNull(u.disabledAtMs),
  lastLoginAt: isoOrNull(u.lastLoginAtMs),
});

export const serviceAccountView = (a: ServiceAccount): ServiceAccountView => ({
  id: a.id,
  name: a.name,
  roleId: a.roleId,
  createdAt: iso(a.createdAtMs),
  createdBy: a.createdBy,
  disabledAt: isoOrNull(a.disabledAtMs),
});

export const credentialView = (c: CredentialRecord): CredentialView => ({
  id: c.id,
  prefix: c.displayPrefix,
  label: c.label,
  createdAt: iso(c.createdAtMs),
  createdBy: c.createdBy,
  expiresAt: isoOrNull(c.expiresAtMs),
  revokedAt: isoOrNull(c.revokedAtMs),
  lastUsedAt: isoOrNull(c.lastUsedAtMs),
});

export const roleView = (r: Role): RoleView => ({ ...r, permissions: [...r.permissions] });

export const auditView = (a: AuditEntry): AuditEntryView => ({ ...a, at: iso(a.atMs) });
