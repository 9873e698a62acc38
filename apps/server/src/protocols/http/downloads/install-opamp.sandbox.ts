// What the install-opamp.sh tests know about the OpAMP installer's output; the sandbox that runs it
// is shared with the Managed-mode installer (installer.sandbox.ts).
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { loadInstallScriptTemplate } from './downloads.routes.ts';
import { hostStateOf, InstallerSandbox, token } from './installer.sandbox.ts';

export const template = loadInstallScriptTemplate('install-opamp.sh');

/** A sandbox holding install-opamp.sh rendered with `serverUrl` (`null`: the raw template). */
export const opampSandbox = (serverUrl: string | null) => new InstallerSandbox('install-opamp.sh', serverUrl);

export const execStart =
  'ExecStart=/usr/local/bin/opampsupervisor --config /etc/otelcol-supervisor/supervisor.yaml';

/** The unit carries the collector's name (`journalctl -u otelcol-contrib`), the old one is its alias. */
export const unitFile = '/etc/systemd/system/otelcol-contrib.service';
export const aliasLine = 'Alias=opamp-supervisor.service';
/** The supervisor's storage.directory (`find /var/lib/otelcol-contrib -name 'effective_config*'`). */
export const storageDir = '/var/lib/otelcol-contrib';

/** Asserts `<storage>/effective_config.yaml` is the relative link to the supervisor's effective.yaml. */
export function assertEffectiveConfigLink(storage: string): void {
  const link = join(storage, 'effective_config.yaml');
  assert.ok(lstatSync(link).isSymbolicLink(), `${link} must be a symlink`);
  assert.equal(readlinkSync(link), 'effective.yaml');
}

/** What an earlier version of install-opamp.sh left on a host (paths relative to /). */
export const legacy = {
  unitFile: 'etc/systemd/system/opamp-supervisor.service',
  dropIn: 'etc/systemd/system/opamp-supervisor.service.d/override.conf',
  configFile: 'etc/otelcol-supervisor/supervisor.yaml',
  storageDir: 'var/lib/otelcol/supervisor',
  /** The storage as the supervisor leaves it; persistent_state.yaml holds the instance id. */
  storage: {
    'persistent_state.yaml': 'instance_id: 0199a8f2-6c3e-7b41-9d2a-5f0e1c3b7a64\n',
    'effective.yaml': 'receivers:\n  nop: {}\n',
    'last_recv_remote_config.dat': '\n\u0004\n\u0002\u0012\u0000',
  } as Record<string, string>,
  dropInText: '[Service]\nEnvironment=HTTPS_PROXY=http://proxy.corp:3128\n',
};

/**
 * Writes, under `root`, the files the previous install-opamp.sh wrote (unit opamp-supervisor.service,
 * storage.directory /var/lib/otelcol/supervisor), a drop-in an operator added, and a storage the
 * supervisor filled.
 */
export function writeLegacyInstall(root: string): void {
  const write = (path: string, text: string, mode = 0o644) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text, { mode });
  };
  write(
    legacy.unitFile,
    [
      '# Written by the LinkMesh OpAMP installer (install-opamp.sh); re-running it rewrites this file.',
      '# Put local changes in a drop-in: systemctl edit opamp-supervisor.service',
      '[Unit]',
      'Description=OpenTelemetry OpAMP supervisor for otelcol-contrib (managed by LinkMesh)',
      '[Service]',
      'User=otelcol',
      'WorkingDirectory=/var/lib/otelcol',
      execStart,
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
  );
  write(legacy.dropIn, legacy.dropInText);
  write(
    legacy.configFile,
    [
      'server:',
      '  endpoint: "ws://127.0.0.1:8080/v1/opamp"',
      '  headers:',
      `    Authorization: ["Bearer ${token}"]`,
      'agent:',
      '  executable: "/usr/local/bin/otelcol-contrib"',
      '  # The collector logs through the supervisor, so journalctl -u opamp-supervisor shows both.',
      '  passthrough_logs: true',
      'storage:',
      '  directory: "/var/lib/otelcol/supervisor"',
      '',
    ].join('\n'),
    0o600,
  );
  for (const [name, text] of Object.entries(legacy.storage))
    write(join(legacy.storageDir, name), text, 0o600);
}

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

// Host paths a real install would write; a dry run must leave them exactly as they were.
export const hostState = () =>
  hostStateOf([
    '/etc/otelcol-supervisor',
    '/etc/systemd/system/otelcol-contrib.service',
    '/etc/systemd/system/opamp-supervisor.service',
    '/var/lib/otelcol-contrib',
    '/var/lib/otelcol',
    '/usr/local/bin/otelcol-contrib',
    '/usr/local/bin/opampsupervisor',
  ]);
