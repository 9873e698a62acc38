// install.sh's real (non-dry-run) path, run as root inside a private mount namespace: /etc, /usr,
// /var/lib and /opt are overlays whose writes land in the sandbox, /run is a tmpfs that claims
// systemd; systemctl, useradd and chown are recording shims. Alloy and Node.js come from a local
// mirror directory holding fake artifacts with real checksums (the fake node runs this Node.js);
// the agent comes from a loopback HTTP server: a recording stand-in, or the real bundle served by
// a real LinkMesh server. Nothing leaves the host.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../../../testing/server-harness.ts';
import { AGENT_ENTRY_URL } from './agent-bundle.ts';
import {
  hostArch,
  hostStateOf,
  inNamespaceAsync,
  InstallerSandbox,
  modeOf,
  namespaceUnavailable,
  realCommand,
  sha256,
  SHELLS,
  token,
  tree,
  upper,
} from './installer.sandbox.ts';

const alloyVersion = '1.18.1';
const nodeVersion = '20.20.2';
const nodeArch = hostArch === 'arm64' ? 'arm64' : 'x64';
const alloyAsset = `alloy-linux-${hostArch}.zip`;
const nodeAsset = `node-v${nodeVersion}-linux-${nodeArch}.tar.xz`;
const fakeAlloy = '#!/bin/sh\necho "alloy, version v1.18.1 (fake)"\n';
// The "Node.js" in the fake tarball is this test's own node, so the agent really runs.
const fakeNode = `#!/bin/sh\nexec ${process.execPath} "$@"\n`;

/** Writes the documented mirror layout with fake artifacts and their real checksums. */
function writeMirror(dir: string, corrupt: { alloy?: boolean; node?: boolean } = {}): void {
  const alloyDir = join(dir, 'alloy', `v${alloyVersion}`);
  const nodeDir = join(dir, 'node', `v${nodeVersion}`);
  const staging = join(dir, '.staging');
  const nodeRoot = join(staging, `node-v${nodeVersion}-linux-${nodeArch}`);
  for (const d of [alloyDir, nodeDir, join(nodeRoot, 'bin'), join(nodeRoot, 'include')]) {
    mkdirSync(d, { recursive: true });
  }
  writeFileSync(join(staging, `alloy-linux-${hostArch}`), fakeAlloy, { mode: 0o755 });
  writeFileSync(join(staging, 'LICENSE'), 'not to be installed\n');
  const zip = spawnSync('zip', [
    '-q',
    '-j',
    join(alloyDir, alloyAsset),
    join(staging, `alloy-linux-${hostArch}`),
    join(staging, 'LICENSE'),
  ]);
  assert.equal(zip.status, 0, String(zip.stderr));
  writeFileSync(join(nodeRoot, 'bin', 'node'), fakeNode, { mode: 0o755 });
  writeFileSync(join(nodeRoot, 'include', 'node.h'), '/* fake */\n');
  const tar = spawnSync('tar', [
    '-cJf',
    join(nodeDir, nodeAsset),
    '-C',
    staging,
    `node-v${nodeVersion}-linux-${nodeArch}`,
  ]);
  assert.equal(tar.status, 0, String(tar.stderr));

  const sum = (file: string, bad?: boolean) => (bad ? 'f'.repeat(64) : sha256(readFileSync(file)));
  writeFileSync(
    join(alloyDir, 'SHA256SUMS'),
    `${'0'.repeat(64)}  alloy-linux-s390x.zip\n${sum(join(alloyDir, alloyAsset), corrupt.alloy)}  ${alloyAsset}\n`,
  );
  writeFileSync(
    join(nodeDir, 'SHASUMS256.txt'),
    `${'1'.repeat(64)}  node-v${nodeVersion}-darwin-arm64.tar.gz\n${sum(join(nodeDir, nodeAsset), corrupt.node)}  ${nodeAsset}\n`,
  );
}

/** A stand-in agent: records its arguments and, for `enroll`, writes the two files it is asked to. */
const fakeAgent = (logFile: string) => `#!/usr/bin/env node
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
const args = process.argv.slice(2);
appendFileSync(${JSON.stringify(logFile)}, JSON.stringify(args) + '\\n');
if (args[0] === 'enroll') {
  const value = (flag) => args[args.indexOf(flag) + 1];
  for (const [flag, text] of [['--config', 'collectorId: c1\\n'], ['--alloy-config', 'remotecfg {}\\n']]) {
    mkdirSync(dirname(value(flag)), { recursive: true });
    writeFileSync(value(flag), text);
  }
}
`;

/** Serves `source` as /api/v1/downloads/linkmesh-agent.mjs on loopback. */
async function serveAgent(source: () => string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    if (request.url !== '/api/v1/downloads/linkmesh-agent.mjs') return response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'text/javascript' }).end(source());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const hostState = () =>
  hostStateOf([
    '/etc/linkmesh-agent',
    '/etc/alloy',
    '/etc/systemd/system/alloy.service',
    '/opt/linkmesh-agent',
    '/usr/local/bin/linkmesh-agent',
    '/usr/bin/alloy',
    '/var/lib/alloy',
    '/var/lib/linkmesh-agent',
  ]);

const skip = realCommand('zip')
  ? namespaceUnavailable()
  : 'zip is not installed (to build the fake Alloy release)';
const shell = SHELLS[0] ?? ['/bin/sh'];

/**
 * A sandbox whose host commands succeed (recorded), whose curl/tar/unzip/sha256sum are real, and
 * whose PATH node is too old, so the pinned Node.js is installed from the mirror.
 */
function installSandbox(serverUrl: string, sandboxes: InstallerSandbox[]): InstallerSandbox {
  const s = new InstallerSandbox('install.sh', serverUrl);
  sandboxes.push(s);
  for (const name of ['systemctl', 'useradd', 'chown']) s.recordingShim(name, 0);
  for (const name of ['curl', 'tar', 'unzip', 'sha256sum']) s.unshim(name);
  s.shim('node', 'echo v18.20.0');
  writeMirror(join(s.dir, 'mirror'));
  return s;
}
const install = (s: InstallerSandbox, args: string[]) => inNamespaceAsync(s, [...shell, s.script, ...args]);

describe('install.sh real install (private mount namespace)', skip ? { skip } : {}, () => {
  const sandboxes: InstallerSandbox[] = [];
  let agentServer: { server: Server; url: string } | undefined;
  let agentLog = '';
  before(async () => {
    agentServer = await serveAgent(() => fakeAgent(agentLog));
  });
  after(() => {
    agentServer?.server.close();
    sandboxes.forEach((s) => s.dispose());
  });
  const sandbox = () => {
    assert.ok(agentServer);
    const s = installSandbox(agentServer.url, sandboxes);
    agentLog = join(s.dir, 'agent.log');
    return s;
  };
  const agentCalls = () =>
    existsSync(agentLog) ? readFileSync(agentLog, 'utf8').split('\n').filter(Boolean) : [];

  it('installs Alloy and Node.js from the mirror and the agent from the server, enrols, and (re)starts alloy.service', async () => {
    const s = sandbox();
    const mirror = join(s.dir, 'mirror');
    const before = hostState();
    const userExists = spawnSync('id', ['-u', 'alloy']).status === 0;

    const r = await install(s, ['--token', token, '--mirror', mirror]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(`verified the SHA-256 of ${alloyAsset}`), r.stdout);
    assert.ok(r.stdout.includes(`verified the SHA-256 of ${nodeAsset}`));
    assert.ok(!(r.stdout + r.stderr).includes(token), 'the full token must not be printed');

    assert.deepEqual(tree(upper(s, 'usr')), [
      'bin/',
      'bin/alloy',
      'local/',
      'local/bin/',
      'local/bin/linkmesh-agent',
    ]);
    assert.equal(readFileSync(upper(s, 'usr/bin/alloy'), 'utf8'), fakeAlloy);
    assert.equal(modeOf(upper(s, 'usr/bin/alloy')), 0o755);
    assert.equal(
      readFileSync(upper(s, 'usr/local/bin/linkmesh-agent'), 'utf8').split('\n')[2],
      'exec /opt/linkmesh-agent/node/bin/node /opt/linkmesh-agent/linkmesh-agent.mjs "$@"',
    );
    assert.deepEqual(tree(upper(s, 'opt')), [
      'linkmesh-agent/',
      'linkmesh-agent/linkmesh-agent.mjs',
      'linkmesh-agent/node/',
      'linkmesh-agent/node/bin/',
      'linkmesh-agent/node/bin/node',
      'linkmesh-agent/node/include/',
      'linkmesh-agent/node/include/node.h',
    ]);
    assert.equal(readFileSync(upper(s, 'opt/linkmesh-agent/node/bin/node'), 'utf8'), fakeNode);

    assert.deepEqual(agentCalls(), [
      JSON.stringify(['--help']),
      JSON.stringify([
        'enroll',
        '--server',
        agentServer?.url,
        '--token',
        token,
        '--config',
        '/etc/linkmesh-agent/config.yaml',
        '--alloy-config',
        '/etc/alloy/config.alloy',
        '--collector-binary',
        '/usr/bin/alloy',
        '--force',
      ]),
    ]);
    assert.equal(modeOf(upper(s, 'etc/linkmesh-agent')), 0o700);
    assert.equal(modeOf(upper(s, 'etc/linkmesh-agent/config.yaml')), 0o600);
    assert.equal(modeOf(upper(s, 'etc/alloy')), 0o770);
    assert.equal(modeOf(upper(s, 'etc/alloy/config.alloy')), 0o600);
    assert.ok(
      readFileSync(upper(s, 'etc/systemd/system/alloy.service'), 'utf8')
        .split('\n')
        .includes('ExecStart=/usr/local/bin/linkmesh-agent run --config /etc/linkmesh-agent/config.yaml'),
    );
    assert.deepEqual(tree(upper(s, 'var/lib')), ['alloy/', 'alloy/data/', 'linkmesh-agent/']);

    const calls = s.calls();
    assert.equal(
      calls.filter((c) => c.startsWith('useradd --system --user-group')).length,
      userExists ? 0 : 1,
    );
    for (const call of [
      'chown alloy:alloy /var/lib/alloy /var/lib/alloy/data',
      'chown -R alloy:alloy /etc/linkmesh-agent /var/lib/linkmesh-agent',
      'chown root:alloy /etc/alloy',
      'chown alloy:alloy /etc/alloy/config.alloy',
    ]) {
      assert.ok(calls.includes(call), `${call} missing from:\n${calls.join('\n')}`);
    }
    assert.deepEqual(
      calls.filter((c) => c.startsWith('systemctl')),
      ['systemctl daemon-reload', 'systemctl enable alloy.service', 'systemctl restart alloy.service'],
    );
    assert.deepEqual(tree(s.tmp), [], 'the download directory is removed');
    assert.deepEqual(hostState(), before, 'the host itself is untouched');

    // A re-run: no token needed, Alloy and Node.js kept, no second enrolment, the service restarted.
    const again = await install(s, ['--mirror', mirror]);
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /Alloy: already installed at \/usr\/bin\/alloy; kept/);
    assert.match(
      again.stdout,
      /Node\.js: \/opt\/linkmesh-agent\/node\/bin\/node \(v20\.20\.2, installed earlier\)/,
    );
    assert.match(again.stdout, /already enrolled/);
    assert.ok(!again.stdout.includes('copying'), 'nothing is taken from the mirror again');
    assert.equal(agentCalls().filter((c) => c.includes('"enroll"')).length, 1);
    assert.equal(s.calls().filter((c) => c === 'systemctl restart alloy.service').length, 2);
  });

  it('stops before changing anything when a checksum does not match', async () => {
    for (const [corrupt, asset] of [
      [{ alloy: true }, alloyAsset],
      [{ node: true }, nodeAsset],
    ] as const) {
      const s = sandbox();
      writeMirror(join(s.dir, 'mirror'), corrupt);
      const r = await install(s, ['--token', token, '--mirror', join(s.dir, 'mirror')]);
      assert.notEqual(r.status, 0);
      assert.ok(r.stderr.includes(`install: error: checksum mismatch for ${asset}`), r.stderr);
      assert.deepEqual(tree(upper(s, 'usr')), []);
      assert.deepEqual(tree(upper(s, 'opt')), []);
      assert.ok(!existsSync(upper(s, 'etc/systemd/system/alloy.service')));
      assert.deepEqual([s.calls(), agentCalls(), tree(s.tmp)], [[], [], []]);
    }
  });

  it('refuses a --server that does not serve the agent', async () => {
    const s = sandbox();
    const r = await install(s, [
      '--token',
      token,
      '--mirror',
      join(s.dir, 'mirror'),
      '--server',
      `${agentServer?.url}/elsewhere`,
    ]);
    assert.notEqual(r.status, 0);
    assert.match(
      r.stderr,
      /install: error: download failed: .*\/elsewhere\/api\/v1\/downloads\/linkmesh-agent\.mjs/,
    );
    assert.deepEqual(tree(upper(s, 'usr')), []);
    assert.deepEqual(s.calls(), []);
  });
});

const agentSources = fileURLToPath(new URL('commands/enroll.ts', AGENT_ENTRY_URL));
describe(
  'install.sh against a real LinkMesh server with the real agent',
  skip ? { skip } : existsSync(agentSources) ? {} : { skip: `${agentSources} does not exist yet` },
  () => {
    it('enrols the host: the collector appears in Managed mode and both config files are written', async () => {
      const server = await startTestServer();
      const sandboxes: InstallerSandbox[] = [];
      try {
        const minted = await server.api('/api/v1/enrollment-tokens', {
          method: 'POST',
          json: { ttlSeconds: 900 },
        });
        assert.equal(minted.status, 201);
        const enrollmentToken = ((await minted.json()) as { token: string }).token;
        const s = installSandbox(server.url, sandboxes);

        const r = await install(s, [
          '--token',
          enrollmentToken,
          '--mirror',
          join(s.dir, 'mirror'),
          '--hostname',
          'install-sh-e2e',
        ]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.ok(!(r.stdout + r.stderr).includes(enrollmentToken), 'the full token must not be printed');
        assert.equal(modeOf(upper(s, 'etc/linkmesh-agent/config.yaml')), 0o600);
        assert.equal(modeOf(upper(s, 'etc/alloy/config.alloy')), 0o600);
        assert.ok(readFileSync(upper(s, 'etc/alloy/config.alloy'), 'utf8').includes(server.url));

        const list = await server.api('/api/v1/collectors');
        const body = JSON.stringify(await list.json());
        assert.ok(body.includes('install-sh-e2e'), body);
        assert.ok(body.includes('managed'), body);
      } finally {
        sandboxes.forEach((s) => s.dispose());
        await server.close();
      }
    });
  },
);
