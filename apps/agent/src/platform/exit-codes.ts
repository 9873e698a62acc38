/**
 * Process exit codes (documented in apps/agent/README.md; the install script relies on them).
 * 1 is the generic failure (server refused or unreachable), 2 a usage or configuration problem.
 */
export const exitCodes = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** `enroll` found an existing config.yaml and `--force` was not given. */
  alreadyEnrolled: 3,
} as const;

/** A failure that ends the command with a message for the operator and an exit code. */
export class AgentExit extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'AgentExit';
  }
}
