// Test support for the installer tests (install.sh, install-opamp.sh): runs a rendered installer as
// a real child process in a throwaway directory tree, with the commands that would touch the host
// replaced by recording shims, and (as root) inside a private mount namespace.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
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
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadInstallScriptTemplate,
  renderInstallScript,
  type InstallScriptName,
} from './downloads.routes.ts';

/** The first existing path of `candidates`, or undefined. */
const firstExisting = (...candidates: string[]) => candidates.find((path) => existsSync(path));
const dash = firstExisting('/bin/dash', '/usr/bin/dash');
const bash = firstExisting('/bin/bash', '/usr/bin/bash');

/**
 * The POSIX shells the installers are run under (absolute paths, so a test may empty PATH): `sh`,
 * plus dash and bash in POSIX mode (RHEL's /bin/sh) where present.
 */
export const SHELLS: readonly (readonly string[])[] = [
  ['/bin/sh'],
  ...(dash ? [[dash]] : []),
  ...(bash ? [[bash, '--posix']] : []),
];

/** Commands a dry run must never call; each shim logs its call and fails. */
const HOST_COMMANDS = [
  'curl',
  'wget',
  'systemctl',
  'useradd',
  'chown',
  'tar',
  'sha256sum',
  'unzip',
  'gpg',
  'apt-get',
  'dnf',
  'yum',
  'rpm',
];

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A temporary tree: `root/` (for `--root`), `tmp/` (TMPDIR), `cwd/`, `home/`, `bin/` (shims, first
 * on PATH) and `calls.log` (one line per shim call: the command and its arguments). `script` is the
 * installer rendered with `serverUrl` (`null`: the raw template).
 */
export class InstallerSandbox {
  readonly dir: string;
  readonly root: string;
  readonly tmp: string;
  readonly cwd: string;
  readonly home: string;
  readonly bin: string;
  readonly script: string;
  private readonly callsFile: string;

  constructor(name: InstallScriptName, serverUrl: string | null) {
    this.dir = mkdtempSync(join(tmpdir(), `${name.replace('.sh', '')}-test-`));
    this.root = join(this.dir, 'root');
    this.tmp = join(this.dir, 'tmp');
    this.cwd = join(this.dir, 'cwd');
    this.home = join(this.dir, 'home');
    this.bin = join(this.dir, 'bin');
    this.script = join(this.dir, name);
    this.callsFile = join(this.dir, 'calls.log');
    for (const d of [this.tmp, this.cwd, this.home, this.bin]) mkdirSync(d);
    const template = loadInstallScriptTemplate(name);
    writeFileSync(this.script, serverUrl === null ? template : renderInstallScript(template, serverUrl));
    for (const command of HOST_COMMANDS) this.recordingShim(command, 1);
  }

  /** Replaces `name` on PATH with a shell script. */
  shim(name: string, body: string): void {
    const path = join(this.bin, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
  }

  /** A shim that appends `name args…` to calls.log, runs `body` (if any) and exits with `exitCode`. */
  recordingShim(name: string, exitCode: number, body = ''): void {
    this.shim(name, `printf '%s\\n' "${name} $*" >> '${this.callsFile}'\n${body}\nexit ${exitCode}`);
  }

  /** Lets the real command through again. */
  unshim(name: string): void {
    unlinkSync(join(this.bin, name));
  }

  /**
   * Makes `bin/` the whole PATH: links the real `commands` into it beside the shims, so the host's
   * other commands (its package manager, its node, …) are invisible. Returns the env to run with.
   */
  isolatePath(commands: readonly string[]): { PATH: string } {
    for (const command of commands) {
      const real = realCommand(command);
      if (!real) throw new Error(`${command} is not installed`);
      if (!existsSync(join(this.bin, command))) symlinkSync(real, join(this.bin, command));
    }
    return { PATH: this.bin };
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
      timeout: 60_000,
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
      const child = spawn(command, rest, { cwd: this.cwd, env: this.env(env), timeout: 60_000 });
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

/** The architecture name the installers derive from this machine's `uname -m` (Go style). */
export const hostArch = process.arch === 'arm64' ? 'arm64' : 'amd64';

export const token = 'lmet_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCd';

export const realCommand = (name: string) =>
  spawnSync('/bin/sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();

export const modeOf = (path: string) => statSync(path).mode & 0o777;

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** A snapshot of host paths (mtime or absence): a dry run must leave them exactly as they were. */
export const hostStateOf = (paths: readonly string[]) =>
  paths.map((p) => (existsSync(p) ? `${p} ${lstatSync(p).mtimeMs}` : `${p} absent`));

// --- Real installs in a private mount namespace (root only) --------------------------------------

/** Host directories overlaid in the namespace; writes to them land in `<sandbox>/upper/<dir>`. */
const OVERLAID = ['etc', 'usr', 'var/lib', 'opt'];

// Mounts the overlays and a /run that claims systemd, then runs the rest of its arguments.
// $1 is the sandbox directory.
const namespaceWrapper = `set -eu
sb=$1; shift
for d in ${OVERLAID.join(' ')}; do
  mkdir -p "$sb/upper/$d" "$sb/work/$d"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$sb/upper/$d,workdir=$sb/work/$d" "/$d"
done
mount -t tmpfs tmpfs /run
mkdir -p /run/systemd/system
exec "$@"
`;

/** Why real installs cannot run here, or false when they can. */
export function namespaceUnavailable(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to create a private mount namespace';
  const missing = OVERLAID.filter((d) => !existsSync(`/${d}`));
  if (missing.length) return `the host has no ${missing.map((d) => `/${d}`).join(', ')} to overlay`;
  const probe = new InstallerSandbox('install.sh', 'http://127.0.0.1:8080');
  try {
    const r = inNamespace(probe, ['true']);
    return r.status === 0 ? false : `unshare/overlay mounts are not available here: ${r.stderr.trim()}`;
  } catch (error) {
    return `unshare is not available: ${(error as Error).message}`;
  } finally {
    probe.dispose();
  }
}

function namespaceArgv(s: InstallerSandbox, argv: readonly string[]): string[] {
  const wrapper = join(s.dir, 'ns.sh');
  if (!existsSync(wrapper)) writeFileSync(wrapper, namespaceWrapper);
  return ['unshare', '-m', '/bin/sh', wrapper, s.dir, ...argv];
}

/** Runs `argv` in a fresh private mount namespace over the sandbox's overlays (blocking). */
export const inNamespace = (s: InstallerSandbox, argv: readonly string[], env: Record<string, string> = {}) =>
  s.exec(namespaceArgv(s, argv), env);

/** Like inNamespace, without blocking the event loop (for a test that also serves HTTP). */
export const inNamespaceAsync = (
  s: InstallerSandbox,
  argv: readonly string[],
  env: Record<string, string> = {},
) => s.execAsync(namespaceArgv(s, argv), env);

/** Where a write to `path` (relative to /) inside the namespace landed. */
export const upper = (s: InstallerSandbox, path: string) => join(s.dir, 'upper', path);
