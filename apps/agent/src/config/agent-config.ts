import { existsSync, readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { writeFileAtomic } from '../platform/atomic-write.ts';
import { AgentExit, exitCodes } from '../platform/exit-codes.ts';
import { defaultPaths } from './paths.ts';

/** Timings of the supervisor; defaults are production values, tests shorten them in config.yaml. */
const supervisorSchema = z
  .object({
    /** First restart delay after the collector exits; doubles per consecutive exit. */
    restartBackoffInitialMs: z.number().int().positive().default(1_000),
    restartBackoffMaxMs: z.number().int().positive().default(60_000),
    /** A process that stayed up this long resets the back-off to its initial delay. */
    restartBackoffResetAfterMs: z.number().int().positive().default(60_000),
    /** How long a stopping collector gets after SIGTERM before SIGKILL. */
    stopTimeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

/** `/etc/linkmesh-agent/config.yaml`: written by `enroll`, read by `run` and `status` (mode 0600). */
export const agentConfigSchema = z
  .object({
    /** The server base URL given to `enroll --server`. */
    server: z.url({ protocol: /^https?$/ }),
    collectorId: z.string().min(1),
    /** The collector bearer (`lmct_…`); rewritten on rotation. */
    collectorToken: z.string().min(1),
    hostname: z.string().min(1).max(253),
    runtime: z.enum(['alloy', 'otelcol']),
    endpoints: z
      .object({
        server: z.string().min(1),
        remotecfg: z.string().min(1),
        otlpMetrics: z.string().min(1),
        agentReport: z.url({ protocol: /^https?$/ }),
      })
      .strict(),
    /** X25519 key pair (base64url); rotated bearers arrive sealed to the public key. */
    agentKeys: z.object({ publicKey: z.string().min(1), privateKey: z.string().min(1) }).strict(),
    collector: z
      .object({
        binary: z.string().min(1).default(defaultPaths.collectorBinary),
        args: z.array(z.string()),
        /** The bootstrap config.alloy the agent writes and rewrites. */
        configPath: z.string().min(1),
      })
      .strict(),
    stateFile: z.string().min(1).default(defaultPaths.stateFile),
    /** Upper bound of the report interval (the server may ask for more frequent reports). */
    reportIntervalSeconds: z.number().positive().max(86_400).default(60),
    supervisor: supervisorSchema.default(supervisorSchema.parse({})),
    enrolledAt: z.string().optional(),
  })
  .strict();

export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type AgentConfigInput = z.input<typeof agentConfigSchema>;

/**
 * Reads and validates config.yaml. A missing or invalid file is an operator problem: exit 2
 * with a message naming the file and, for a bad value, the key.
 */
export function loadAgentConfig(path: string): AgentConfig {
  if (!existsSync(path))
    throw new AgentExit(
      `no agent config at ${path}; enrol first: linkmesh-agent enroll --server URL --token T`,
      exitCodes.usage,
    );
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new AgentExit(
      `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
      exitCodes.usage,
    );
  }
  const parsed = agentConfigSchema.safeParse(raw);
  if (!parsed.success)
    throw new AgentExit(`invalid config ${path}: ${describeIssues(parsed.error)}`, exitCodes.usage);
  return parsed.data;
}

/** Writes config.yaml atomically, mode 0600 (it holds the bearer and the private key). */
export function saveAgentConfig(path: string, config: AgentConfig): void {
  const header =
    '# linkmesh-agent configuration (written by `linkmesh-agent enroll`; holds secrets, keep 0600)\n';
  writeFileAtomic(path, header + stringify(config, { lineWidth: 0 }));
}

/** `collector.binary: expected string; stateFile: …` — every issue with the key it concerns. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(file)'}: ${issue.message}`)
    .join('; ');
}
