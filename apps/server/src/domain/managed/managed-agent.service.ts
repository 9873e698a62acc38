import type {
  AgentReportRequest,
  AgentReportResponse,
  ManagedAgentView,
} from '@linkmesh/contracts/agent-api';
import { isAgentPublicKey, sealToken } from '@linkmesh/contracts/sealed-token';
import type { FleetListener, FleetService, RotationFacts } from '../fleet/fleet.service.ts';
import type { Clock } from '../shared/clock.ts';
import { conflict, invalid } from '../shared/errors.ts';
import { redactSecretsDeep } from '../shared/redact-secrets.ts';
import type { StorageOf } from '../shared/storage.port.ts';

/** How often agents are asked to report; a Managed host counts as stale after three misses. */
export const agentReportIntervalSeconds = 30;

/**
 * Managed mode's server side (`linkmesh-agent`): host-context reports, restart events, and the
 * delivery of rotated bearers sealed to the agent's key (the server keeps only hashes, so the
 * new bearer is sealed at rotation time and collected by the agent on its next report).
 */
export class ManagedAgentService implements FleetListener {
  constructor(
    private readonly storage: StorageOf<'managedAgents'>,
    private readonly fleet: FleetService,
    private readonly clock: Clock,
  ) {}

  /** Remembers the key a bootstrapping agent sent (none: rotations are shown once instead). */
  async registerKey(collectorId: string, publicKey: string | undefined): Promise<void> {
    if (publicKey !== undefined && !isAgentPublicKey(publicKey))
      throw invalid('agentPublicKey', 'agentPublicKey must be a base64url X25519 public key (32 bytes)');
    await this.storage.managedAgents.setPublicKey(collectorId, publicKey ?? null);
  }

  /**
   * One report from the agent of `collectorId`, authenticated by `credentialId`. Updates the
   * collector record, records restarts, and hands out a pending rotation until the agent shows
   * up with the new bearer. The report's free text (binary path, version line, exit signal…) is
   * redacted before it is stored: a wrapper's command line can carry the bearer.
   */
  async report(
    auth: { collectorId: string; credentialId: string },
    reported: AgentReportRequest,
  ): Promise<AgentReportResponse> {
    const report = redactSecretsDeep(reported);
    const collector = await this.fleet.get(auth.collectorId);
    if (collector.mode !== 'managed')
      throw conflict(`collector is in ${collector.mode} mode; only Managed-mode agents report host context`);
    const nowMs = this.clock.nowMs();
    const previous = await this.storage.managedAgents.get(collector.id);
    await this.storage.managedAgents.saveReport(collector.id, report, nowMs);
    await this.fleet.updateFromAgent(collector.id, {
      hostname: report.host.hostname,
      os: report.host.os,
      arch: report.host.arch,
      version: collectorVersion(report.collector.version),
    });
    await this.recordRestarts(collector.id, previous?.report ?? null, report);
    await this.fleet.markSeen(collector.id, 'linkmesh-agent report');

    let pending = previous?.pendingRotation ?? null;
    if (
      pending !== null &&
      (pending.credentialId === auth.credentialId || pending.previousValidUntilMs <= nowMs)
    ) {
      // The agent now holds the new bearer (or the old one can no longer collect it): done.
      await this.storage.managedAgents.setPendingRotation(collector.id, null);
      pending = null;
    }
    return {
      collectorId: collector.id,
      reportIntervalSeconds: agentReportIntervalSeconds,
      rotation:
        pending === null
          ? null
          : {
              sealedToken: pending.sealedToken,
              rotatedAt: new Date(pending.rotatedAtMs).toISOString(),
              previousValidUntil: new Date(pending.previousValidUntilMs).toISOString(),
            },
    };
  }

  /** FleetListener: seals a rotated bearer for a Managed host's agent. */
  async bearerRotated(collectorId: string, token: string, rotation: RotationFacts): Promise<boolean> {
    const collector = await this.fleet.find(collectorId);
    if (collector?.mode !== 'managed') return false;
    const agent = await this.storage.managedAgents.get(collectorId);
    if (!agent?.publicKey) return false;
    await this.storage.managedAgents.setPendingRotation(collectorId, {
      sealedToken: sealToken(token, agent.publicKey, collectorId),
      credentialId: rotation.credentialId,
      rotatedAtMs: rotation.rotatedAtMs,
      previousValidUntilMs: rotation.previousValidUntilMs,
    });
    return true;
  }

  /** What the collector detail shows; null when no agent ever reported. */
  async view(collectorId: string): Promise<ManagedAgentView | null> {
    const agent = await this.storage.managedAgents.get(collectorId);
    if (!agent?.report || agent.reportedAtMs === null) return null;
    return {
      reportedAt: new Date(agent.reportedAtMs).toISOString(),
      agentVersion: agent.report.agentVersion,
      host: agent.report.host,
      collector: agent.report.collector,
      rotationPending: agent.pendingRotation !== null,
    };
  }

  /** A `restarted` event per restart the agent performed since its previous report. */
  private async recordRestarts(
    collectorId: string,
    previous: AgentReportRequest | null,
    current: AgentReportRequest,
  ): Promise<void> {
    // A lower count means the agent itself restarted and began counting again.
    const before =
      previous !== null && previous.collector.restartCount <= current.collector.restartCount
        ? previous.collector.restartCount
        : 0;
    const added = current.collector.restartCount - before;
    if (added <= 0) return;
    const exit =
      current.collector.lastExitSignal ??
      (current.collector.lastExitCode === null ? 'unknown' : `code ${current.collector.lastExitCode}`);
    await this.fleet.recordEvent(
      collectorId,
      'restarted',
      `linkmesh-agent restarted the collector ${added === 1 ? 'once' : `${added} times`} (last exit: ${exit}; ${current.collector.restartCount} restarts since the agent started)`,
    );
  }
}

/** `alloy, version v1.11.3 (branch: …)` → `v1.11.3`; the raw line when no version is in it. */
export function collectorVersion(versionLine: string | null): string | undefined {
  if (versionLine === null) return undefined;
  const match = /\bv?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?/.exec(versionLine);
  return (match?.[0] ?? versionLine).slice(0, 64);
}
