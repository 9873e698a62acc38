// What the install-opamp.sh tests know about the OpAMP installer's output; the sandbox that runs it
// is shared with the Managed-mode installer (installer.sandbox.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse, parseDocument } from 'yaml';
import { loadInstallScriptTemplate } from './downloads.routes.ts';
import { hostStateOf, InstallerSandbox } from './installer.sandbox.ts';

export const template = loadInstallScriptTemplate('install-opamp.sh');

/** A sandbox holding install-opamp.sh rendered with `serverUrl` (`null`: the raw template). */
export const opampSandbox = (serverUrl: string | null) => new InstallerSandbox('install-opamp.sh', serverUrl);

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

// Host paths a real install would write; a dry run must leave them exactly as they were.
export const hostState = () =>
  hostStateOf([
    '/etc/otelcol-supervisor',
    '/etc/systemd/system/opamp-supervisor.service',
    '/var/lib/otelcol',
    '/usr/local/bin/otelcol-contrib',
    '/usr/local/bin/opampsupervisor',
  ]);
