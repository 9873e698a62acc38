import type { CollectorConfigService } from '../collector-config/collector-config.service.ts';
import type { EnrollmentService } from '../enrollment/enrollment.service.ts';
import type { CollectorAuthenticator } from '../fleet/collector-auth.ts';
import { bearerFrom, type FleetService } from '../fleet/fleet.service.ts';
import type { Clock } from '../shared/clock.ts';
import { looksLikeCredential } from '../shared/credentials.ts';
import { DomainError } from '../shared/errors.ts';
import { redactSecretsDeep } from '../shared/redact-secrets.ts';
import type { StorageOf } from '../shared/storage.port.ts';
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
    private readonly storage: StorageOf<'opampAgents'>,
    private readonly clock: Clock,
    private readonly fleet: FleetService,
    private readonly enrollment: EnrollmentService,
    private readonly collectorAuth: CollectorAuthenticator,
    private readonly config: CollectorConfigService,
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
    const report = redactedReport(reported, this.fleet);
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
    if (
      status &&
      (status.status === 'APPLIED' || status.status === 'FAILED' || status.status === 'APPLYING')
    ) {
      const changed =
        previous?.remoteConfigStatus?.status !== status.status ||
        previous.remoteConfigStatus.lastRemoteConfigHash !== status.lastRemoteConfigHash ||
        previous.remoteConfigStatus.errorMessage !== status.errorMessage;
      if (changed)
        await this.config.recordApply(
          collectorId,
          status.lastRemoteConfigHash,
          status.status,
          status.errorMessage,
        );
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

  /**
   * The OTel YAML this collector should run now, as delivered (its secrets in): the current
   * config version (CollectorConfigService). Cached: most messages are answered without storage.
   */
  async desiredConfig(collectorId: string): Promise<DesiredConfig> {
    const delivered =
      this.config.peek(collectorId) ?? (await this.config.current(await this.fleet.get(collectorId)));
    return { yaml: delivered.content, hash: delivered.hash, hashHex: delivered.hashHex };
  }

  /** Runs `listener` when a collector's desired config changed (one collector, or all when undefined). */
  onConfigChanged(listener: (collectorId?: string) => void): void {
    this.config.onChanged(listener);
  }
}

/** A report with every reported text redacted (undefined fields stay undefined: unchanged). */
function redactedReport(report: AgentReport, fleet: FleetService): AgentReport {
  return {
    ...report,
    description: report.description && redactSecretsDeep(report.description),
    effectiveConfig:
      report.effectiveConfig === undefined ? undefined : fleet.redactReported(report.effectiveConfig),
    health: report.health && redactSecretsDeep(report.health),
    remoteConfigStatus: report.remoteConfigStatus && redactSecretsDeep(report.remoteConfigStatus),
  };
}

function hostnameOf(description: AgentDescriptionView): string | undefined {
  return description.nonIdentifying['host.name'] ?? description.identifying['host.name'];
}
