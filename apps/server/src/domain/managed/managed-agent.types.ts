import type { AgentReportRequest } from '@linkmesh/contracts/agent-api';
import type { SealedToken } from '@linkmesh/contracts/sealed-token';

/** A rotated bearer waiting for the host's agent; only the sealed box is kept. */
export interface PendingRotation {
  readonly sealedToken: SealedToken;
  /** The new bearer's credential: the agent presenting it proves the rotation arrived. */
  readonly credentialId: string;
  readonly rotatedAtMs: number;
  readonly previousValidUntilMs: number;
}

/** What the server knows about a Managed-mode host's `linkmesh-agent`. */
export interface ManagedAgentRecord {
  readonly collectorId: string;
  /** X25519 public key (base64url) sent at bootstrap; null for an agent that sent none. */
  readonly publicKey: string | null;
  readonly report: AgentReportRequest | null;
  readonly reportedAtMs: number | null;
  readonly pendingRotation: PendingRotation | null;
}

export interface ManagedAgentStore {
  get(collectorId: string): Promise<ManagedAgentRecord | undefined>;
  setPublicKey(collectorId: string, publicKey: string | null): Promise<void>;
  saveReport(collectorId: string, report: AgentReportRequest, atMs: number): Promise<void>;
  setPendingRotation(collectorId: string, pending: PendingRotation | null): Promise<void>;
}
