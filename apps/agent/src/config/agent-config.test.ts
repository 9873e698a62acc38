import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { AgentExit, exitCodes } from '../platform/exit-codes.ts';
import { loadAgentConfig, saveAgentConfig, type AgentConfigInput } from './agent-config.ts';
import { resolveConfigPath } from './paths.ts';

const root = mkdtempSync(join(tmpdir(), 'linkmesh-agent-config-'));
let files = 0;

/** A config.yaml as `enroll` writes it, minus the optional keys. */
function validConfig(): AgentConfigInput {
  return {
    server: 'https://fleet.example.com',
    collectorId: 'col_01',
    collectorToken: 'lmct_secret',
    hostname: 'web-01',
    runtime: 'alloy',
    endpoints: {
      server: 'https://fleet.example.com',
      remotecfg: 'https://fleet.example.com',
      otlpMetrics: 'https://fleet.example.com/v1/metrics',
      agentReport: 'https://fleet.example.com/api/v1/agent/report',
    },
    agentKeys: { publicKey: 'pub', privateKey: 'priv' },
    collector: {
      binary: '/usr/bin/alloy',
      args: ['run', '/etc/alloy/config.alloy'],
      configPath: '/etc/alloy/config.alloy',
    },
  };
}

function fileWith(content: string): string {
  files += 1;
  const path = join(root, `config-${files}.yaml`);
  writeFileSync(path, content);
  return path;
}

function loadFailure(path: string): AgentExit {
  try {
    loadAgentConfig(path);
  } catch (error) {
    if (error instanceof AgentExit) return error;
    throw error;
  }
  assert.fail('expected the config to be rejected');
}

describe('agent config.yaml', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('loads a valid file and fills the defaults', () => {
    const config = loadAgentConfig(fileWith(stringify(validConfig())));
    assert.equal(config.stateFile, '/var/lib/linkmesh-agent/state.json');
    assert.equal(config.reportIntervalSeconds, 60);
    assert.deepEqual(config.supervisor, {
      restartBackoffInitialMs: 1_000,
      restartBackoffMaxMs: 60_000,
      restartBackoffResetAfterMs: 60_000,
      stopTimeoutMs: 10_000,
    });
  });

  it('names the bad key and exits 2 for a wrong type', () => {
    const bad = { ...validConfig(), collector: { ...validConfig().collector, binary: 42 } };
    const failure = loadFailure(fileWith(stringify(bad)));
    assert.equal(failure.exitCode, exitCodes.usage);
    assert.match(failure.message, /collector\.binary: /);
  });

  it('names a missing key, an unknown key and a bad URL', () => {
    const { collectorToken: _dropped, ...missing } = validConfig();
    assert.match(loadFailure(fileWith(stringify(missing))).message, /collectorToken: /);
    assert.match(
      loadFailure(fileWith(stringify({ ...validConfig(), colectorId: 'x' }))).message,
      /colectorId/,
    );
    assert.match(
      loadFailure(fileWith(stringify({ ...validConfig(), server: 'ftp://x' }))).message,
      /server: /,
    );
  });

  it('rejects a file that is not YAML and a missing file with exit 2', () => {
    const notYaml = loadFailure(fileWith('server: [unclosed\n'));
    assert.equal(notYaml.exitCode, exitCodes.usage);
    assert.match(notYaml.message, /cannot read/);
    const missing = loadFailure(join(root, 'absent.yaml'));
    assert.equal(missing.exitCode, exitCodes.usage);
    assert.match(missing.message, /no agent config at .*absent\.yaml; enrol first/);
  });

  it('saves what it loads, mode 0600', () => {
    const path = join(root, 'saved', 'config.yaml');
    const config = loadAgentConfig(fileWith(stringify(validConfig())));
    saveAgentConfig(path, config);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(loadAgentConfig(path), config);
    assert.match(readFileSync(path, 'utf8'), /^# linkmesh-agent configuration/);
  });

  it('takes --config, then LINKMESH_AGENT_CONFIG, then the default path', () => {
    assert.equal(resolveConfigPath('/a.yaml', { LINKMESH_AGENT_CONFIG: '/b.yaml' }), '/a.yaml');
    assert.equal(resolveConfigPath(undefined, { LINKMESH_AGENT_CONFIG: '/b.yaml' }), '/b.yaml');
    assert.equal(resolveConfigPath(undefined, {}), '/etc/linkmesh-agent/config.yaml');
  });
});
