import { createHash } from 'node:crypto';
import type { EnrollmentService } from '../enrollment/enrollment.service.ts';
import type { CollectorAuthenticator } from '../fleet/collector-auth.ts';
import { bearerFrom, type FleetService } from '../fleet/fleet.service.ts';
import type { Clock } from '../shared/clock.ts';
import { looksLikeCredential } from '../shared/credentials.ts';
import { parse as parseYaml } from 'yaml';
import { DomainError, invalid } from '../shared/errors.ts';
import { redactSecrets, redactSecretsDeep } from '../shared/redact-secrets.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { Storage } from '../shared/storage.port.ts';
import { baselineOtelConfig } from './baseline-config.ts';
import type {
  AgentDescriptionView,
  HealthView,
  OpampAgentRecord,
  RemoteConfigStatusView,
} from './opamp-agent.types.ts';

/** Who opened an OpAMP connection, decided on the upgrade / POST before any message is read. */
export type OpampCredential =
  | { readonly kind: 'collector'; readonly collectorId: string }
  | { readonly kind: 'enrollment'; readonly token: string };

/** Why an OpAMP request was refused; logged as `opamp.auth: rejected reason=…`. */
export type OpampRejection =
  | 'missing_or_malformed_bearer'
  | 'token_unknown_or_revoked_or_expired'
  | 'enrollment_token_reused'
  | 'collector_deregistered'
  /** Too many failed authentications from this address: wait `retryAfterSeconds`. */
  | 'throttled';

export class OpampAuthError extends Error {
  constructor(
    readonly reason: OpampRejection,
    readonly retryAfterSeconds?: number,
  ) {
    super(reason);
  }
}

/** What an agent reported in one message (fields it left out are undefined: unchanged). */
export interface AgentReport {
  readonly instanceUid: string;
  readonly capabilities: number;
  readonly transport: 'ws' | 'http';
  readonly description?: AgentDescriptionView | undefined;
  /** Effective config text as reported (redacted before it is stored). */
  readonly effectiveConfig?: string | undefined;
  readonly health?: HealthView | undefined;
  readonly remoteConfigStatus?: RemoteConfigStatusView | undefined;
}

/** The outcome of attaching a first message to a collector. */
export interface Attachment {
  readonly collectorId: string;
  /** A freshly minted bearer to offer (enrolment, or a re-enrolment before the first one was taken). */
  readonly newBearer: string | undefined;
}

export interface DesiredConfig {
  readonly yaml: string;
  /** SHA-256 of the YAML bytes; `config_hash` on the wire. */
  readonly hash: Uint8Array;
  readonly hashHex: string;
}

/**
 * OpAMP as the fleet sees it: enrolment on first contact, the collector bearer, what each
 * instance reported (kept across reconnects and restarts), apply-status events, and the config
 * each collector should run. The protocol adapter (protocols/opamp) turns messages into these
 * calls and replies.
 */
export class OpampService {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly fleet: FleetService,
    private readonly enrollment: EnrollmentService,
    private readonly collectorAuth: CollectorAuthenticator,
  ) {}

  /**
   * Checks the `Authorization` of an upgrade or POST, from the headers alone (before any message
   * is read): a collector bearer through the one collector authenticator, or an enrollment token
   * through the one enrollment check (redeemed later, on the first message). Both are throttled
   * per address.
   */
  async authenticate(authorization: string | undefined, ip: string): Promise<OpampCredential> {
    const token = bearerFrom(authorization);
    if (token !== undefined && looksLikeCredential(token, 'enrollment')) {
      const verdict = await this.enrollment.authenticate(token, ip);
      if (verdict.ok) return { kind: 'enrollment', token };
      if (verdict.reason === 'throttled') throw new OpampAuthError('throttled', verdict.retryAfterSeconds);
      throw new OpampAuthError(verdict.reason);
    }
    const result = await this.collectorAuth.authenticate(authorization, ip);
    if (result.ok) return { kind: 'collector', collectorId: result.collectorId };
    if (result.reason === 'throttled') throw new OpampAuthError('throttled', result.retryAfterSeconds);
    throw new OpampAuthError(result.reason);
  }

  /**
   * Binds the connection's first message to a collector. An enrollment token creates the
   * collector (mode `opamp`, `registered`) and mints its bearer; the same instance coming back
   * with the token before it took its bearer gets the same collector and a fresh bearer.
   */
  async attach(credential: OpampCredential, report: AgentReport): Promise<Attachment> {
    if (credential.kind === 'collector') return { collectorId: credential.collectorId, newBearer: undefined };
    const description = redactSecretsDeep(report.description ?? { identifying: {}, nonIdentifying: {} });
    try {
      const redemption = await this.enrollment.redeem(
        credential.token,
        report.instanceUid,
        async (stores) => {
          const collector = await this.fleet.enrolCollector(stores, {
            name: hostnameOf(description) ?? `otelcol-${report.instanceUid.slice(0, 8)}`,
            runtime: 'otelcol',
            mode: 'opamp',
            hostname: hostnameOf(description) ?? null,
            os: description.nonIdentifying['os.type'] ?? null,
            arch: description.nonIdentifying['host.arch'] ?? null,
            version: description.identifying['service.version'] ?? null,
            instanceUid: report.instanceUid,
            status: 'connected',
          });
          return collector.id;
        },
      );
      const newBearer = await this.fleet.mintBearer(
        { actor: `opamp:${report.instanceUid}`, sourceIp: '' },
        redemption.collectorId,
      );
      return { collectorId: redemption.collectorId, newBearer };
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'gone')
        throw new OpampAuthError('enrollment_token_reused');
      if (error instanceof DomainError && error.kind === 'unauthenticated') {
        throw new OpampAuthError('token_unknown_or_revoked_or_expired');
      }
      throw error;
    }
  }

  /** The last state stored for an instance (undefined for an instance never seen). */
  stored(instanceUid: string): Promise<OpampAgentRecord | undefined> {
    return this.storage.opampAgents.get(instanceUid);
  }

  /**
   * Stores what changed and records events: `config_applied` / `config_failed` when the apply
   * status reaches APPLIED / FAILED for a hash (once per hash and status). Everything the agent
   * reported is redacted first: its effective config, health messages and apply errors quote
   * exporter headers and its own bearer.
   */
  async record(collectorId: string, reported: AgentReport): Promise<OpampAgentRecord> {
    const report = redactedReport(reported);
    const nowMs = this.clock.nowMs();
    const previous = await this.storage.opampAgents.get(report.instanceUid);
    const record: OpampAgentRecord = {
      instanceUid: report.instanceUid,
      collectorId,
      capabilities: report.capabilities,
      description: report.description ?? previous?.description ?? { identifying: {}, nonIdentifying: {} },
      effectiveConfig: report.effectiveConfig ?? previous?.effectiveConfig ?? null,
      health: report.health ?? previous?.health ?? null,
      remoteConfigStatus: report.remoteConfigStatus ?? previous?.remoteConfigStatus ?? null,
      transport: report.transport,
      firstSeenAtMs: previous?.firstSeenAtMs ?? nowMs,
      lastMessageAtMs: nowMs,
    };
    await this.storage.opampAgents.upsert(record);
    const status = report.remoteConfigStatus;
    if (status && (status.status === 'APPLIED' || status.status === 'FAILED')) {
      const changed =
        previous?.remoteConfigStatus?.status !== status.status ||
        previous.remoteConfigStatus.lastRemoteConfigHash !== status.lastRemoteConfigHash;
      if (changed) {
        await this.fleet.recordEvent(
          collectorId,
          status.status === 'APPLIED' ? 'config_applied' : 'config_failed',
          status.status === 'APPLIED'
            ? `config ${status.lastRemoteConfigHash.slice(0, 12)} applied`
            : `config ${status.lastRemoteConfigHash.slice(0, 12)} failed: ${status.errorMessage}`,
          `${status.status}:${status.lastRemoteConfigHash}`,
        );
      }
    }
    if (report.description) {
      await this.fleet.updateFromAgent(collectorId, {
        hostname: hostnameOf(report.description),
        version: report.description.identifying['service.version'],
        os: report.description.nonIdentifying['os.type'],
        arch: report.description.nonIdentifying['host.arch'],
        instanceUid: report.instanceUid,
      });
    }
    return record;
  }

  /** The stored agent state of a collector (its latest instance), or undefined before first contact. */
  agentOf(collectorId: string): Promise<OpampAgentRecord | undefined> {
    return this.storage.opampAgents.forCollector(collectorId);
  }

  /** The OTel YAML this collector should run (a minimal valid baseline until pipelines exist). */
  desiredConfig(collectorId: string): DesiredConfig {
    return this.fleetDefault ?? withHash(baselineOtelConfig(collectorId));
  }

  /** Reads the stored fleet default config (at start-up; then see {@link refreshFleetDefault}). */
  async loadFleetDefault(): Promise<void> {
    await this.refreshFleetDefault();
  }

  /**
   * Re-reads the stored fleet default and, when it changed (another replica set it), pushes the
   * new desired config to this replica's agents. Resolves true when it changed. The default is
   * kept in memory because every OpAMP message asks for it; storage is the source of truth, and
   * this refresh (every few seconds, jobs/desired-config-refresh) bounds how long a replica
   * serves an old one.
   */
  async refreshFleetDefault(): Promise<boolean> {
    const yaml = await this.storage.settings.get(fleetDefaultKey);
    const next = yaml ? withHash(yaml) : undefined;
    if (next?.hashHex === this.fleetDefault?.hashHex) return false;
    this.fleetDefault = next;
    for (const listener of this.configListeners) listener();
    return true;
  }

  fleetDefaultConfig(): string | undefined {
    return this.fleetDefault?.yaml;
  }

  /** Runs `listener` whenever the desired config of collectors changes (the transport pushes it). */
  onConfigChanged(listener: () => void): void {
    this.configListeners.push(listener);
  }

  /**
   * Sets (or with `null` clears) the OTel YAML every otelcol collector runs until pipelines
   * target it. Validated: a YAML mapping, at most 1 MiB, and no `service::telemetry` — that
   * section belongs to the own_metrics offer, and remote config would overwrite it.
   */
  async setFleetDefault(context: RequestContext, yaml: string | null): Promise<void> {
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
          yaml === null ? 'reset to the built-in baseline' : `sha256 ${withHash(yaml).hashHex.slice(0, 12)}`,
      });
    });
    this.fleetDefault = yaml ? withHash(yaml) : undefined;
    for (const listener of this.configListeners) listener();
  }

  private fleetDefault: DesiredConfig | undefined;
  private readonly configListeners: Array<() => void> = [];
}

const fleetDefaultKey = 'otel_default_config';
const maxConfigBytes = 1024 * 1024;

function withHash(yaml: string): DesiredConfig {
  const digest = createHash('sha256').update(yaml, 'utf8').digest();
  return { yaml, hash: new Uint8Array(digest), hashHex: digest.toString('hex') };
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

/** A report with every reported text redacted (undefined fields stay undefined: unchanged). */
function redactedReport(report: AgentReport): AgentReport {
  return {
    ...report,
    description: report.description && redactSecretsDeep(report.description),
    effectiveConfig: report.effectiveConfig === undefined ? undefined : redactSecrets(report.effectiveConfig),
    health: report.health && redactSecretsDeep(report.health),
    remoteConfigStatus: report.remoteConfigStatus && redactSecretsDeep(report.remoteConfigStatus),
  };
}

function hostnameOf(description: AgentDescriptionView): string | undefined {
  return description.nonIdentifying['host.name'] ?? description.identifying['host.name'];
}
