/**
 * The wire contract between `linkmesh-agent` (Managed mode) and the server. Both sides validate
 * with these schemas; the agent bundles them.
 *
 * - `POST /api/v1/bootstrap` (authenticated by the enrollment token in the body) redeems the
 *   token: the collector appears in mode `managed` and the answer carries its bearer.
 * - `POST /api/v1/agent/report` (authenticated by `Authorization: Bearer lmct_…`) sends the host
 *   context every `reportIntervalSeconds`; the answer may carry a rotated bearer sealed to the
 *   agent's public key (see `sealed-token.ts`). The agent rewrites its files, restarts the
 *   collector and reports with the new bearer, which clears the pending rotation on the server.
 */
import { z } from 'zod';

export const bootstrapRequest = z
  .object({
    token: z.string().min(1).max(512),
    hostname: z.string().min(1).max(253),
    runtime: z.enum(['alloy', 'otelcol']).default('alloy'),
    /** A stable host identifier (e.g. /etc/machine-id); a retry from the same host gets the same collector. */
    hostId: z.string().min(1).max(256).optional(),
    os: z.string().max(64).optional(),
    arch: z.string().max(64).optional(),
    /** X25519 public key (base64url, 32 raw bytes) rotated bearers are sealed to. */
    agentPublicKey: z.string().max(64).optional(),
  })
  .strict();
export type BootstrapRequest = z.input<typeof bootstrapRequest>;

export const bootstrapResponse = z.object({
  collectorId: z.string(),
  collectorToken: z.string(),
  endpoints: z.object({
    /** The server's external base URL. */
    server: z.string(),
    /** Base URL for Alloy's `remotecfg { url = … }`. */
    remotecfg: z.string(),
    /** Full OTLP/HTTP metrics URL (`<server>/v1/metrics`). */
    otlpMetrics: z.string(),
    /** Where the agent reports host context. */
    agentReport: z.string(),
  }),
});
export type BootstrapResponse = z.infer<typeof bootstrapResponse>;

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const seconds = z.number().min(0).max(1e10);

export const agentReportRequest = z
  .object({
    agentVersion: z.string().min(1).max(64),
    host: z
      .object({
        hostname: z.string().min(1).max(253),
        /** `os.platform()`, e.g. `linux`. */
        os: z.string().min(1).max(64),
        /** `os.release()` (kernel release). */
        osRelease: z.string().max(128),
        arch: z.string().min(1).max(64),
        cpuCount: count,
        cpuModel: z.string().max(256),
        memoryTotalBytes: count,
        memoryFreeBytes: count,
        uptimeSeconds: seconds,
        /** 1-minute load average. */
        loadAverage1m: z.number().min(0).max(1e6),
      })
      .strict(),
    collector: z
      .object({
        /** Path of the supervised binary. */
        binary: z.string().max(4096),
        /** From `<binary> --version` (first line), null when it could not be read. */
        version: z.string().max(256).nullable(),
        running: z.boolean(),
        pid: z.number().int().positive().nullable(),
        /** Restarts the agent performed since it started (not counting the first start). */
        restartCount: count,
        /** Seconds since the current process started; null when not running. */
        uptimeSeconds: seconds.nullable(),
        lastExitCode: z.number().int().nullable(),
        lastExitSignal: z.string().max(32).nullable(),
        /** ISO time of the last exit, null when it never exited. */
        lastExitAt: z.string().max(64).nullable(),
        /** Seconds until the next start attempt while backing off; null otherwise. */
        nextStartInSeconds: seconds.nullable(),
      })
      .strict(),
  })
  .strict();
export type AgentReportRequest = z.infer<typeof agentReportRequest>;

export const sealedTokenShape = z.object({
  alg: z.literal('x25519-hkdf-sha256-aes256gcm'),
  ephemeralPublicKey: z.string(),
  nonce: z.string(),
  ciphertext: z.string(),
});

export const agentReportResponse = z.object({
  collectorId: z.string(),
  /** How often the server wants reports. */
  reportIntervalSeconds: z.number().int().positive(),
  /** A rotated bearer waiting for this agent, sealed to its public key; null when none. */
  rotation: z
    .object({
      sealedToken: sealedTokenShape,
      rotatedAt: z.string(),
      /** When the bearer the agent holds stops working. */
      previousValidUntil: z.string(),
    })
    .nullable(),
});
export type AgentReportResponse = z.infer<typeof agentReportResponse>;

/** What the collector detail shows from the agent's last report (`GET /api/v1/collectors/{id}` → `agent`). */
export interface ManagedAgentView {
  reportedAt: string;
  agentVersion: string;
  host: AgentReportRequest['host'];
  collector: AgentReportRequest['collector'];
  rotationPending: boolean;
}
