import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../platform/atomic-write.ts';

const exitShape = z.object({
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  at: z.string(),
});

const startShape = z.object({
  pid: z.number().int().nullable(),
  startedAt: z.string(),
  exitedAt: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  exitSignal: z.string().nullable(),
  /** The back-off delay waited before the next start (null: not restarted yet, or a planned restart). */
  restartDelayMs: z.number().int().nullable(),
  /** The agent stopped this run itself (rotation or shutdown), so no back-off followed. */
  planned: z.boolean(),
});

/**
 * `state.json`, written by `run` on every change (atomically, 0600) and read by `status`. It is
 * a snapshot for operators and tests, not a source of truth: `run` starts from zero counts.
 */
export const agentStateSchema = z.object({
  updatedAt: z.string(),
  agentPid: z.number().int(),
  /** False once `run` has shut down cleanly. */
  agentRunning: z.boolean(),
  bearerPrefix: z.string(),
  collector: z.object({
    binary: z.string(),
    version: z.string().nullable(),
    pid: z.number().int().nullable(),
    running: z.boolean(),
    startedAt: z.string().nullable(),
    /** Restarts after the collector exited by itself (crashes); rotation restarts are `plannedRestarts`. */
    restartCount: z.number().int(),
    plannedRestarts: z.number().int(),
    lastExit: exitShape.nullable(),
    nextStartAt: z.string().nullable(),
    /** The most recent starts, oldest first (at most `recentStartsLimit`). */
    recentStarts: z.array(startShape),
  }),
  lastReport: z
    .object({
      at: z.string(),
      ok: z.boolean(),
      status: z.number().int().nullable(),
      message: z.string(),
    })
    .nullable(),
  lastRotation: z.object({ at: z.string(), ok: z.boolean(), message: z.string() }).nullable(),
});

export type AgentState = z.infer<typeof agentStateSchema>;
export type CollectorStart = z.infer<typeof startShape>;

export const recentStartsLimit = 20;

export function writeAgentState(path: string, state: AgentState): void {
  writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`);
}

/** The state, `null` when `run` never wrote one; throws with a reason when the file is damaged. */
export function readAgentState(path: string): AgentState | null {
  if (!existsSync(path)) return null;
  const parsed = agentStateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`unexpected content in ${path}`);
  return parsed.data;
}
