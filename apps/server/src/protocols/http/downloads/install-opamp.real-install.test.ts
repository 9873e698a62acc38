// The real (non-dry-run) install path, run as root inside a private mount namespace: /etc, /usr,
// /var/lib and /opt are overlays whose writes land in the sandbox, /run is a tmpfs that
// claims systemd. systemctl, useradd and chown are recording shims. Artifacts come from a local
// mirror directory or from an HTTP mirror served on loopback by this test; nothing leaves the host.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execStart, hostState, opampSandbox, readSupervisorYaml } from './install-opamp.sandbox.ts';
import {
  hostArch,
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

const otelcolVersion = '0.135.0';
const supervisorVersion = '0.135.0';
const otelcolAsset = `otelcol-contrib_${otelcolVersion}_linux_${hostArch}.tar.gz`;
const supervisorAsset = `opampsupervisor_${supervisorVersion}_linux_${hostArch}`;
const fakeOtelcol = '#!/bin/sh\necho "otelcol-contrib version 0.135.0"\n';
const fakeSupervisor = '#!/bin/sh\necho "fake opampsupervisor"\n';

/** Writes the documented mirror layout with fake artifacts and their real checksums. */
function writeMirror(dir: string, options: { corruptSupervisorSum?: boolean } = {}): void {
  const otelcolDir = join(dir, 'otelcol-contrib', otelcolVersion);
  const supervisorDir = join(dir, 'opampsupervisor', supervisorVersion);
  const staging = join(dir, '.staging');
  for (const d of [otelcolDir, supervisorDir, staging]) mkdirSync(d, { recursive: true });
  writeFileSync(join(staging, 'otelcol-contrib'), fakeOtelcol, { mode: 0o755 });
  writeFileSync(join(staging, 'README.md'), 'fake release\n');
  const tar = spawnSync('tar', [
    '-czf',
    join(otelcolDir, otelcolAsset),
    '-C',
    staging,
    'otelcol-contrib',
    'README.md',
  ]);
  assert.equal(tar.status, 0, String(tar.stderr));
  writeFileSync(join(supervisorDir, supervisorAsset), fakeSupervisor);
  const tarSum = sha256(readFileSync(join(otelcolDir, otelcolAsset)));
  writeFileSync(
    join(otelcolDir, 'opentelemetry-collector-releases_otelcol-contrib_checksums.txt'),
    `${'0'.repeat(64)}  otelcol-contrib_${otelcolVersion}_linux_s390x.tar.gz\n${tarSum}  ${otelcolAsset}\n`,
  );
  const supervisorSum = options.corruptSupervisorSum ? 'f'.repeat(64) : sha256(fakeSupervisor);
  writeFileSync(join(supervisorDir, 'checksums.txt'), `${supervisorSum}  ${supervisorAsset}\n`);
}

const skip = namespaceUnavailable();
const shell = SHELLS[0] ?? ['/bin/sh'];

describe('install-opamp.sh real install (private mount namespace)', skip ? { skip } : {}, () => {
  const sandboxes: InstallerSandbox[] = [];
  after(() => sandboxes.forEach((s) => s.dispose()));

  /** A sandbox whose host commands succeed (recorded) and whose tar/sha256sum are real. */
  function installSandbox(): InstallerSandbox {
    const s = opampSandbox('http://127.0.0.1:8080');
    sandboxes.push(s);
    for (const name of ['systemctl', 'useradd', 'chown']) s.recordingShim(name, 0);
    s.unshim('tar');
    s.unshim('sha256sum');
    return s;
  }
  const install = (s: InstallerSandbox, args: string[]) => inNamespaceAsync(s, [...shell, s.script, ...args]);

  it('installs verified binaries, writes config and unit, creates the user and (re)starts the service', async () => {
    const s = installSandbox();
    const mirror = join(s.dir, 'mirror');
    writeMirror(mirror);
    const before = hostState();
    const userExists = spawnSync('id', ['-u', 'otelcol']).status === 0;

    const r = await install(s, ['--token', token, '--mirror', mirror]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`verified the SHA-256 of ${otelcolAsset.replaceAll('.', '\\.')}`));
    assert.match(r.stdout, /verified the SHA-256 of opampsupervisor_/);
    assert.ok(!(r.stdout + r.stderr).includes(token), 'the full token must not be printed');

    assert.deepEqual(tree(upper(s, 'usr/local')), ['bin/', 'bin/opampsupervisor', 'bin/otelcol-contrib']);
    assert.equal(readFileSync(upper(s, 'usr/local/bin/otelcol-contrib'), 'utf8'), fakeOtelcol);
    assert.equal(readFileSync(upper(s, 'usr/local/bin/opampsupervisor'), 'utf8'), fakeSupervisor);
    assert.equal(modeOf(upper(s, 'usr/local/bin/otelcol-contrib')), 0o755);
    assert.equal(modeOf(upper(s, 'usr/local/bin/opampsupervisor')), 0o755);
    assert.deepEqual(
      tree(upper(s, 'etc')).filter((e) => e.startsWith('otelcol-supervisor') || e.includes('opamp')),
      [
        'otelcol-supervisor/',
        'otelcol-supervisor/supervisor.yaml',
        'systemd/system/opamp-supervisor.service',
      ],
    );
    assert.equal(modeOf(upper(s, 'etc/otelcol-supervisor/supervisor.yaml')), 0o600);
    assert.equal(
      readSupervisorYaml(upper(s, 'etc/otelcol-supervisor/supervisor.yaml')).server.endpoint,
      'ws://127.0.0.1:8080/v1/opamp',
    );
    assert.ok(
      readFileSync(upper(s, 'etc/systemd/system/opamp-supervisor.service'), 'utf8').includes(execStart),
    );
    assert.deepEqual(tree(upper(s, 'var/lib')), ['otelcol/', 'otelcol/supervisor/']);
    assert.equal(modeOf(upper(s, 'var/lib/otelcol/supervisor')), 0o750);

    const calls = s.calls();
    assert.equal(
      calls.filter((c) => c.startsWith('useradd --system --user-group')).length,
      userExists ? 0 : 1,
    );
    assert.ok(
      calls.includes('chown otelcol:otelcol /var/lib/otelcol /var/lib/otelcol/supervisor'),
      calls.join('\n'),
    );
    assert.ok(calls.includes('chown root:otelcol /etc/otelcol-supervisor'));
    assert.ok(
      calls.some((c) => /^chown otelcol:otelcol \/etc\/otelcol-supervisor\/\.install-opamp\./.test(c)),
    );
    assert.deepEqual(
      calls.filter((c) => c.startsWith('systemctl')),
      [
        'systemctl daemon-reload',
        'systemctl enable opamp-supervisor.service',
        'systemctl restart opamp-supervisor.service',
      ],
    );
    assert.ok(!calls.some((c) => /^(curl|wget) /.test(c)), 'a mirror directory is copied, not downloaded');
    assert.deepEqual(tree(s.tmp), [], 'the download directory is removed');
    assert.deepEqual(hostState(), before, 'the host itself is untouched');

    const again = await install(s, ['--token', token, '--mirror', mirror]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(s.calls().filter((c) => c === 'systemctl restart opamp-supervisor.service').length, 2);
    assert.ok(!existsSync(upper(s, 'etc/otelcol-supervisor/supervisor.yaml.bak')));
  });

  it('stops before writing anything when a checksum does not match', async () => {
    const s = installSandbox();
    const mirror = join(s.dir, 'mirror');
    writeMirror(mirror, { corruptSupervisorSum: true });
    const r = await install(s, ['--token', token, '--mirror', mirror]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /install-opamp: error: checksum mismatch for opampsupervisor_/);
    assert.deepEqual(tree(upper(s, 'usr/local')), []);
    assert.ok(!existsSync(upper(s, 'etc/otelcol-supervisor')));
    assert.deepEqual(s.calls(), []);
    assert.deepEqual(tree(s.tmp), []);
  });

  describe(
    'from an HTTP mirror (loopback) with curl',
    { skip: realCommand('curl') ? false : 'curl is not installed' },
    () => {
      let server: Server | undefined;
      let mirrorUrl = '';
      const s = skip ? undefined : installSandbox();
      before(async () => {
        if (!s) return;
        const root = join(s.dir, 'mirror');
        writeMirror(root);
        server = createServer((request, response) => {
          const path = normalize(join(root, decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/')));
          if (!path.startsWith(root) || !existsSync(path)) return response.writeHead(404).end();
          createReadStream(path).pipe(response);
        });
        const listening = server;
        await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
        mirrorUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}/`;
      });
      after(() => server?.close());

      it('downloads and verifies both artifacts', async () => {
        assert.ok(s);
        s.unshim('curl');
        const r = await install(s, ['--token', token, '--mirror', mirrorUrl]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.ok(
          r.stdout.includes(
            `downloading ${mirrorUrl}opampsupervisor/${supervisorVersion}/${supervisorAsset}`,
          ),
        );
        assert.equal(readFileSync(upper(s, 'usr/local/bin/opampsupervisor'), 'utf8'), fakeSupervisor);
      });
    },
  );
});
