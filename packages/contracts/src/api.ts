/**
 * JSON shapes of the REST API (`/api/v1`), shared by the server (validation), the web UI and
 * the agent. Timestamps are ISO-8601 strings; durations carry their unit in the name.
 */
import { z } from 'zod';
import type { ManagedAgentView } from './agent-api.ts';

export type { ManagedAgentView };
import type { ThroughputCounter } from './throughput.ts';

export const errorCodes = [
  'invalid',
  'unauthenticated',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'gone',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** Every error response: `{error: {code, message, field?}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null on the last page. */
  nextCursor: string | null;
}

export const loginRequest = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof loginRequest>;

export interface PrincipalView {
  kind: 'user' | 'service-account';
  id: string;
  name: string;
  permissions: string[];
}

export const enrollmentTokenCreateRequest = z.object({ ttlSeconds: z.number().int().optional() }).strict();

export interface EnrollmentTokenCreated {
  id: string;
  /** The token itself: shown once, never retrievable again. */
  token: string;
  expiresAt: string;
}

export interface EnrollmentTokenView {
  id: string;
  prefix: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
  usedAt: string | null;
  revokedAt: string | null;
  collectorId: string | null;
  status: 'active' | 'expired' | 'used' | 'revoked';
}

export const runtimes = ['otelcol', 'alloy'] as const;
export const collectorCreateRequest = z
  .object({ name: z.string().min(1).max(200), runtime: z.enum(runtimes) })
  .strict();

export const collectorStatuses = [
  'connected',
  'disconnected',
  'stale',
  'error',
  'pending',
  'deregistered',
] as const;
export const managementModes = ['opamp', 'alloy-remotecfg', 'managed'] as const;

/** `GET /collectors?sort=` (decision 0017); `createdAt` (enrolment order) is the default. */
export const collectorSorts = [
  'createdAt',
  'name',
  'status',
  'lastSeenAt',
  'recordsInPerSec',
  'recordsOutPerSec',
  'errorsPerSec',
  'version',
] as const;
export type CollectorSort = (typeof collectorSorts)[number];

/**
 * The order a sort takes when none is asked for (API) or on a header's first click (UI): text
 * and status ascending (status: worst first), times and rates descending (busiest first).
 */
export const defaultCollectorOrder: Record<CollectorSort, 'asc' | 'desc'> = {
  createdAt: 'asc',
  name: 'asc',
  status: 'asc',
  version: 'asc',
  lastSeenAt: 'desc',
  recordsInPerSec: 'desc',
  recordsOutPerSec: 'desc',
  errorsPerSec: 'desc',
};

/** Why a collector's rates are null: no push yet, one sample only (or just restarted), or none recent. */
export type RatesMissingReason = 'no_self_telemetry' | 'needs_two_samples' | 'stale';

export interface CollectorView {
  id: string;
  name: string;
  runtime: 'otelcol' | 'alloy';
  mode: (typeof managementModes)[number];
  /**
   * The connection status, or `error` for a connected collector whose current config failed to
   * apply, whose agent reports itself unhealthy, or whose receivers refuse / exporters fail now.
   */
  status: (typeof collectorStatuses)[number];
  /** Why the status is `error`, as a sentence (null otherwise). */
  statusReason: string | null;
  /** Sum of the receivers' accepted records/s (null: see ratesMissingReason). */
  recordsInPerSec: number | null;
  /** Sum of the exporters' sent records/s. */
  recordsOutPerSec: number | null;
  /** Receivers' refused + exporters' send_failed records/s. */
  errorsPerSec: number | null;
  ratesMissingReason: RatesMissingReason | null;
  lastSeenAt: string | null;
  version: string | null;
  hostname: string | null;
  os: string | null;
  arch: string | null;
  labels: Record<string, string>;
  instanceUid: string | null;
  createdAt: string;
  deregisteredAt: string | null;
  hostCpuPercent: number | null;
  hostMemoryPercent: number | null;
  cpuPercent: number | null;
  memoryMb: number | null;
  uptimeSeconds: number | null;
  restartCount: number;
}

/** `GET /collectors`: a page, with per-status counts when asked for (`counts=true`). */
export interface CollectorListPage extends Page<CollectorView> {
  /** Collectors matching every filter except `status`, per status (null unless `counts=true`). */
  statusCounts: Partial<Record<CollectorView['status'], number>> | null;
}

/** `GET /collectors/{id}`: the list row plus what a Managed host's agent last reported. */
export interface CollectorDetailView extends CollectorView {
  /** Why host CPU or memory is missing or stale, in words an operator can act on; null when fine. */
  hostMetricsMissing: string | null;
  agent: ManagedAgentView | null;
}

export interface CollectorTokenMinted {
  token: string;
  /** Paste-ready Alloy `remotecfg` block (Alloy collectors only). */
  remotecfgSnippet: string | null;
}

export interface CollectorEventView {
  id: number;
  type: string;
  at: string;
  detail: string;
}

export const userCreateRequest = z
  .object({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(256),
    roles: z.array(z.string().min(1)).min(1).max(20),
  })
  .strict();

export interface UserView {
  id: string;
  username: string;
  roles: string[];
  createdAt: string;
  disabledAt: string | null;
  lastLoginAt: string | null;
}

export const passwordChangeRequest = z.object({ password: z.string().min(1).max(256) }).strict();

export const serviceAccountCreateRequest = z
  .object({ name: z.string().min(1).max(64), role: z.string().min(1) })
  .strict();

export interface ServiceAccountView {
  id: string;
  name: string;
  roleId: string;
  createdAt: string;
  createdBy: string;
  disabledAt: string | null;
}

export const serviceAccountTokenCreateRequest = z
  .object({
    /** null: never expires. Default 90 days. */
    ttlSeconds: z
      .number()
      .int()
      .min(60)
      .max(10 * 365 * 86_400)
      .nullable()
      .optional(),
    label: z.string().max(200).optional(),
  })
  .strict();

export interface ServiceAccountTokenCreated {
  id: string;
  token: string;
  expiresAt: string | null;
}

export interface CredentialView {
  id: string;
  prefix: string;
  label: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface RoleView {
  id: string;
  name: string;
  description: string;
  permissions: string[];
  builtIn: boolean;
}

export interface AuditEntryView {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  sourceIp: string;
  detail: string;
}

/** One raw ComponentThroughput row: cumulative counters exactly as the collector reported them. */
export interface ThroughputRowView {
  kind: 'receiver' | 'processor' | 'exporter';
  componentId: string;
  signal: 'traces' | 'metrics' | 'logs' | 'profiles' | '';
  time: string;
  /** Start of the cumulative series; null when the collector did not say (Alloy). */
  startTime: string | null;
  receivedAt: string;
  counters: Partial<Record<ThroughputCounter, number>>;
}

/** Per-component view: read-time rates over a bounded window. */
export interface ComponentRateView {
  kind: 'receiver' | 'processor' | 'exporter';
  componentId: string;
  signal: 'traces' | 'metrics' | 'logs' | 'profiles' | '';
  recordsPerSec: number | null;
  errorsPerSec: number | null;
  incomingPerSec: number | null;
  droppedPerSec: number | null;
  queueSize: number | null;
  queueCapacity: number | null;
  sparkline: (number | null)[];
  errorSparkline: (number | null)[];
  samples: number;
  restartsInWindow: number;
  lastSampleAt: string;
}
