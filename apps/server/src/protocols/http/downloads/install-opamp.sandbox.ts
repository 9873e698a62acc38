// Test support for install-opamp.test.ts: runs the rendered installer as a real child process in a
// throwaway directory tree, with the commands that would touch the host replaced by recording shims.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { INSTALL_OPAMP_TEMPLATE_URL, renderInstallScript } from './downloads.routes.ts';

/**
 * The POSIX shells the installer is run under (absolute paths, so a test may empty PATH): `sh`,
 * plus dash and bash in POSIX mode (RHEL's /bin/sh) where present.
 */
export const SHELLS: readonly (readonly string[])[] = [
  ['/bin/sh'],
  ...(existsSync('/bin/dash') ? [['/bin/dash']] : []),
  ...(existsSync('/bin/bash') ? [['/bin/bash', '--posix']] : []),
];

/** Commands a dry run must never call; each shim logs its call and fails. */
const HOST_COMMANDS = ['curl', 'wget', 'systemctl', 'useradd', 'chown', 'tar', 'sha256sum'];

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export const template = readFileSync(INSTALL_OPAMP_TEMPLATE_URL, 'utf8');

/**
 * A temporary tree: `root/` (for `--root`), `tmp/` (TMPDIR), `cwd/`, `home/`, `bin/` (shims, first
 * on PATH) and `calls.log` (one line per shim call: the command and its arguments).
 */
export class InstallerSandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'install-opamp-test-'));
  readonly root = join(this.dir, 'root');
  readonly tmp = join(this.dir, 'tmp');
  readonly cwd = join(this.dir, 'cwd');
  readonly home = join(this.dir, 'home');
  readonly bin = join(this.dir, 'bin');
  readonly script = join(this.dir, 'install-opamp.sh');
  private readonly callsFile = join(this.dir, 'calls.log');

  constructor(serverUrl: string | null) {
    for (const d of [this.tmp, this.cwd, this.home, this.bin]) mkdirSync(d);
    writeFileSync(this.script, serverUrl === null ? template : renderInstallScript(template, serverUrl));
    for (const name of HOST_COMMANDS) this.recordingShim(name, 1);
  }

  /** Replaces `name` on PATH with a shell script. */
  shim(name: string, body: string): void {
    const path = join(this.bin, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
  }

  /** A shim that appends `name args…` to calls.log and exits with `exitCode`. */
  recordingShim(name: string, exitCode: number): void {
    this.shim(name, `printf '%s\\n' "${name} $*" >> '${this.callsFile}'\nexit ${exitCode}`);
  }

  /** Lets the real command through again. */
  unshim(name: string): void {
    unlinkSync(join(this.bin, name));
  }

  /** Runs the installer with a minimal environment (no LINKMESH_TOKEN etc. unless given). */
  run(shell: readonly string[], args: readonly string[], env: Record<string, string> = {}): RunResult {
    return this.exec([...shell, this.script, ...args], env);
  }

  /** Runs the installer the way operators do: the script on stdin, `sh -s -- args`. */
  runPiped(shell: readonly string[], script: string, args: readonly string[]): RunResult {
    return this.exec([...shell, '-s', '--', ...args], {}, script);
  }

  /** Runs any command with the sandbox environment. */
  exec(argv: readonly string[], env: Record<string, string> = {}, input?: string): RunResult {
    const [command, ...rest] = argv;
    if (command === undefined) throw new Error('empty command');
    const result = spawnSync(command, rest, {
      cwd: this.cwd,
      encoding: 'utf8',
      timeout: 30_000,
      env: this.env(env),
      ...(input === undefined ? {} : { input }),
    });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Like exec, without blocking the event loop (for a test that also serves HTTP). */
  execAsync(argv: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
    const [command, ...rest] = argv;
    if (command === undefined) return Promise.reject(new Error('empty command'));
    return new Promise((resolve, reject) => {
      const child = spawn(command, rest, { cwd: this.cwd, env: this.env(env), timeout: 30_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  private env(extra: Record<string, string>): NodeJS.ProcessEnv {
    return {
      PATH: `${this.bin}:${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
      HOME: this.home,
      TMPDIR: this.tmp,
      LANG: 'C.UTF-8',
      ...extra,
    };
  }

  calls(): string[] {
    return existsSync(this.callsFile) ? readFileSync(this.callsFile, 'utf8').split('\n').filter(Boolean) : [];
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every entry under `dir`, relative, directories with a trailing slash, sorted. */
export function tree(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? [`${prefix}${entry.name}/`, ...tree(join(dir, entry.name), `${prefix}${entry.name}/`)]
        : [`${prefix}${entry.name}`],
    )
    .sort();
}

/** The architecture name the installer derives from this machine's `uname -m`. */
export const hostArch = process.arch === 'arm64' ? 'arm64' : 'amd64';

export const token = 'lmet_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCd';
export const execStart =
  'ExecStart=/usr/local/bin/opampsupervisor --config /etc/otelcol-supervisor/supervisor.yaml';

/** Exactly the capabilities LinkMesh relies on. */
export const capabilities = {
  accepts_remote_config: true,
  reports_remote_config: true,
  reports_effective_config: true,
  reports_own_metrics: true,
  reports_health: true,
  reports_heartbeat: true,
  accepts_opamp_connection_settings: true,
  accepts_restart_command: true,
};

export interface SupervisorYaml {
  server: { endpoint: string; headers: Record<string, unknown>; tls?: unknown };
  capabilities: Record<string, unknown>;
  agent: { executable: string };
  storage: { directory: string };
}

export function readSupervisorYaml(path: string): SupervisorYaml {
  const text = readFileSync(path, 'utf8');
  const doc = parseDocument(text, { version: '1.2' });
  assert.deepEqual(doc.errors, []);
  assert.deepEqual(doc.warnings, []);
  return parse(text, { version: '1.2' }) as SupervisorYaml;
}

export const realCommand = (name: string) =>
  spawnSync('/bin/sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();

export const modeOf = (path: string) => statSync(path).mode & 0o777;

// Host paths a real install would write; a dry run must leave them exactly as they were.
const hostPaths = [
  '/etc/otelcol-supervisor',
  '/etc/systemd/system/opamp-supervisor.service',
  '/var/lib/otelcol',
  '/usr/local/bin/otelcol-contrib',
  '/usr/local/bin/opampsupervisor',
];
export const hostState = () =>
  hostPaths.map((p) => (existsSync(p) ? `${p} ${lstatSync(p).mtimeMs}` : `${p} absent`));
