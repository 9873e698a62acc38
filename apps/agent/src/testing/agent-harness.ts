import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseDocument } from 'yaml';
import { writeFileAtomic } from '../platform/atomic-write.ts';
import { readAgentState, type AgentState } from '../state/agent-state.ts';

/** The repo's bin (tsx): tests run the agent as operators do, as a separate process. */
export const agentBin = fileURLToPath(new URL('../../bin/linkmesh-agent.mjs', import.meta.url));
export const standinCollector = fileURLToPath(new URL('../testdata/standin-collector.sh', import.meta.url));

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `linkmesh-agent <args>` to completion. */
export function runAgentCommand(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [agentBin, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running `linkmesh-agent run` with its output collected. */
export class RunningAgent {
  stdout = '';
  stderr = '';
  private readonly exited: Promise<number | null>;

  constructor(readonly process: ChildProcess) {
    process.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    process.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => process.once('close', (code) => resolve(code)));
  }

  static start(configPath: string): RunningAgent {
    return new RunningAgent(
      spawn(process.execPath, [agentBin, 'run', '--config', configPath], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  }

  /** SIGTERM and the exit code. */
  async terminate(): Promise<number | null> {
    this.process.kill('SIGTERM');
    return this.exited;
  }

  /** Test clean-up: whatever state the test left it in. */
  async kill(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.process.kill('SIGTERM');
      await this.exited;
    }
  }
}

/** Polls `probe` until it returns a value other than undefined; fails with `what` and the last value after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A temp directory holding every file of one simulated host. */
export class HostDir {
  readonly dir = mkdtempSync(join(tmpdir(), 'linkmesh-agent-'));
  readonly configPath = join(this.dir, 'etc', 'linkmesh-agent', 'config.yaml');
  readonly alloyConfigPath = join(this.dir, 'alloy', 'config.alloy');
  readonly stateFile = join(this.dir, 'state', 'state.json');

  /** The flags `enroll` needs to keep every file inside this directory. */
  enrollArgs(server: string, token: string, hostname: string): string[] {
    return [
      'enroll',
      '--server',
      server,
      '--token',
      token,
      '--config',
      this.configPath,
      '--alloy-config',
      this.alloyConfigPath,
      '--collector-binary',
      standinCollector,
      '--hostname',
      hostname,
      '--state-file',
      this.stateFile,
    ];
  }

  /** Edits config.yaml as an operator would (e.g. shorter timings for a test). */
  editConfig(edit: (config: ReturnType<typeof parseDocument>) => void): void {
    const document = parseDocument(readFileSync(this.configPath, 'utf8'));
    edit(document);
    writeFileAtomic(this.configPath, document.toString());
  }

  configValue(path: readonly string[]): unknown {
    let value: unknown = parse(readFileSync(this.configPath, 'utf8'));
    for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
    return value;
  }

  state(): AgentState | null {
    return readAgentState(this.stateFile);
  }

  /** Lines the stand-in collector appended to starts.log (one per start). */
  starts(): string[] {
    return readLines(join(this.dir, 'alloy', 'starts.log'));
  }

  /** Lines the stand-in appended to terms.log (one per SIGTERM it received). */
  terms(): string[] {
    return readLines(join(this.dir, 'alloy', 'terms.log'));
  }

  /** Makes every following stand-in start exit with `code` (undefined: stay up). */
  crashWith(code: number | undefined): void {
    const path = join(this.dir, 'alloy', 'crash');
    if (code === undefined) rmSync(path, { force: true });
    else writeFileAtomic(path, String(code), 0o644);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function readLines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}
