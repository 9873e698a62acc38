import type { Generated } from 'kysely';
import type { ThroughputDbRow } from './sql/throughput.rows.ts';

/**
 * Table shapes as Kysely sees them. Timestamps are integer Unix milliseconds (BIGINT in
 * PostgreSQL, INTEGER in SQLite); JSON is stored as TEXT in both dialects.
 */
export interface Database {
  schema_migrations: { name: string; applied_at: number };
  collectors: CollectorRow;
  credentials: CredentialRow;
  events: EventRow;
  users: UserRow;
  roles: RoleRow;
  user_roles: { user_id: string; role_id: string };
  service_accounts: ServiceAccountRow;
  audit_log: AuditRow;
  settings: { key: string; value: string };
  component_throughput: ThroughputDbRow;
  opamp_agents: OpampAgentRow;
  collector_reports: { collector_id: string; effective_config: string; reported_at: number };
  managed_agents: ManagedAgentRow;
  collector_config_versions: ConfigVersionRow;
  collector_config_state: ConfigStateRow;
  pipeline_objects: PipelineObjectRow;
  pipeline_object_refs: { route_id: string; object_id: string };
}

export interface PipelineObjectRow {
  id: string;
  kind: string;
  name: string;
  /** JSON of the validated object, secret fields sealed. */
  spec: string;
  revision: number;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

export interface ManagedAgentRow {
  collector_id: string;
  public_key: string | null;
  /** JSON of the agent's last report (the contract's AgentReportRequest). */
  report: string | null;
  reported_at: number | null;
  /** JSON of the pending rotation (sealed bearer, its credential id, times). */
  pending_rotation: string | null;
}

export interface OpampAgentRow {
  instance_uid: string;
  collector_id: string;
  capabilities: number;
  description: string;
  effective_config: string | null;
  health: string | null;
  remote_config_status: string | null;
  transport: string;
  first_seen_at: number;
  last_message_at: number;
}

export interface CollectorRow {
  id: string;
  name: string;
  runtime: string;
  mode: string;
  status: string;
  hostname: string | null;
  os: string | null;
  arch: string | null;
  version: string | null;
  labels: string;
  operator_labels: string;
  instance_uid: string | null;
  created_at: number;
  last_seen_at: number | null;
  deregistered_at: number | null;
  host_cpu_percent: number | null;
  host_memory_percent: number | null;
  cpu_percent: number | null;
  memory_mb: number | null;
  uptime_seconds: number | null;
  restart_count: number;
  process_start_unix_ms: number | null;
  process_cpu_seconds: number | null;
  host_cpu_idle_seconds: number | null;
  host_cpu_total_seconds: number | null;
  host_sampled_at_ms: number | null;
  last_telemetry_at_ms: number | null;
}

export interface CredentialRow {
  id: string;
  kind: string;
  hash: string;
  display_prefix: string;
  collector_id: string | null;
  user_id: string | null;
  service_account_id: string | null;
  created_by: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  used_at: number | null;
  bound_to: string | null;
  last_used_at: number | null;
  label: string;
  /** Telemetry tokens only: the token sealed with the server secret (SecretBox), for rendering. */
  sealed_value: string | null;
}

export interface ConfigVersionRow {
  collector_id: string;
  version: number;
  hash: string;
  format: string;
  template: string;
  author: string;
  reason: string;
  diff: string;
  created_at: number;
}

export interface ConfigStateRow {
  collector_id: string;
  current_version: number;
  render_hash: string;
  apply_status: string;
  apply_version: number | null;
  apply_error: string | null;
  apply_updated_at: number | null;
}

export interface EventRow {
  id: Generated<number>;
  collector_id: string;
  type: string;
  at: number;
  detail: string;
  dedupe_key: string | null;
}

export interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  created_at: number;
  disabled_at: number | null;
  last_login_at: number | null;
}

export interface RoleRow {
  id: string;
  name: string;
  description: string;
  permissions: string;
  built_in: number;
}

export interface ServiceAccountRow {
  id: string;
  name: string;
  role_id: string;
  created_at: number;
  created_by: string;
  disabled_at: number | null;
}

export interface AuditRow {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target: string;
  source_ip: string;
  detail: string;
}
