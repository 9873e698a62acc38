// The real (non-dry-run) install path, run as root inside a private mount namespace: /etc, /usr,
// /var/lib and /opt are overlays whose writes land in the sandbox, /run is a tmpfs that
// claims systemd. systemctl, useradd and chown are recording shims. Artifacts come from a local
// mirror directory or from an HTTP mirror served on loopback by this test; nothing leaves the host.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  aliasLine,
  assertEffectiveConfigLink,
  execStart,
  hostState,
  legacy,
  opampSandbox,
  readSupervisorYaml,
  storageDir,
  unitFile,
  writeLegacyInstall,
} from './install-opamp.sandbox.ts';
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
      tree(upper(s, 'etc')).filter((e) => e.includes('otelcol') || e.includes('opamp')),
      ['otelcol-supervisor/', 'otelcol-supervisor/supervisor.yaml', 'systemd/system/otelcol-contrib.service'],
    );
    assert.equal(modeOf(upper(s, 'etc/otelcol-supervisor/supervisor.yaml')), 0o600);
    assert.equal(
      readSupervisorYaml(upper(s, 'etc/otelcol-supervisor/supervisor.yaml')).server.endpoint,
      'ws://127.0.0.1:8080/v1/opamp',
    );
    assert.equal(
      readSupervisorYaml(upper(s, 'etc/otelcol-supervisor/supervisor.yaml')).storage.directory,
      storageDir,
    );
    const unit = readFileSync(upper(s, unitFile), 'utf8').split('\n');
    assert.ok(unit.includes(execStart) && unit.includes(aliasLine), unit.join('\n'));
    assert.deepEqual(tree(upper(s, 'var/lib')), [
      'otelcol-contrib/',
      'otelcol-contrib/effective_config.yaml',
    ]);
    assert.equal(modeOf(upper(s, storageDir)), 0o750);
    assertEffectiveConfigLink(upper(s, storageDir));

    const calls = s.calls();
    assert.equal(
      calls.filter((c) => c.startsWith('useradd --system --user-group')).length,
      userExists ? 0 : 1,
    );
    assert.ok(calls.includes('chown otelcol:otelcol /var/lib/otelcol-contrib'), calls.join('\n'));
    assert.ok(calls.includes('chown root:otelcol /etc/otelcol-supervisor'));
    assert.ok(
      calls.some((c) => /^chown otelcol:otelcol \/etc\/otelcol-supervisor\/\.install-opamp\./.test(c)),
    );
    assert.deepEqual(
      calls.filter((c) => c.startsWith('systemctl')),
      [
        'systemctl daemon-reload',
        'systemctl enable otelcol-contrib.service',
        'systemctl restart otelcol-contrib.service',
      ],
      'a fresh host has no earlier unit to stop',
    );
    assert.ok(!calls.some((c) => /^(curl|wget) /.test(c)), 'a mirror directory is copied, not downloaded');
    assert.deepEqual(tree(s.tmp), [], 'the download directory is removed');
    assert.deepEqual(hostState(), before, 'the host itself is untouched');

    const again = await install(s, ['--token', token, '--mirror', mirror]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(s.calls().filter((c) => c === 'systemctl restart otelcol-contrib.service').length, 2);
    assert.ok(!existsSync(upper(s, 'etc/otelcol-supervisor/supervisor.yaml.bak')));
  });

  it('migrates a host installed by the earlier script: old unit stopped, disabled and removed, storage moved with its instance id; a re-run is idempotent', async () => {
    const s = installSandbox();
    // systemctl enable makes the Alias= symlink, and refuses (as systemd does) while a real file
    // holds the alias name: so the old unit file must be gone before the new unit is enabled.
    const aliasPath = `/${legacy.unitFile}`;
    s.recordingShim(
      'systemctl',
      0,
      `if [ "$1" = enable ]; then
  if [ -e ${aliasPath} ] && [ ! -L ${aliasPath} ]; then echo "Failed to enable unit: File ${aliasPath} already exists." >&2; exit 1; fi
  ln -sf otelcol-contrib.service ${aliasPath}
fi`,
    );
    const mirror = join(s.dir, 'mirror');
    writeMirror(mirror);
    writeLegacyInstall(upper(s, ''));
    const before = hostState();

    const r = await install(s, ['--token', token, '--mirror', mirror]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    for (const line of [
      'stopped and disabled opamp-supervisor.service (installed by an earlier version of this script)',
      'moved the supervisor storage /var/lib/otelcol/supervisor to /var/lib/otelcol-contrib (with the instance id: the collector keeps its identity in LinkMesh)',
      'removed the empty /var/lib/otelcol',
      'moved the drop-ins /etc/systemd/system/opamp-supervisor.service.d to /etc/systemd/system/otelcol-contrib.service.d',
      'removed /etc/systemd/system/opamp-supervisor.service; opamp-supervisor.service becomes an alias of otelcol-contrib.service (its earlier logs stay under journalctl -u opamp-supervisor)',
    ]) {
      assert.ok(
        r.stdout.split('\n').includes(`install-opamp: ${line}`),
        `${line}\nmissing from:\n${r.stdout}`,
      );
    }
    assert.equal(r.stderr, '');
    const systemctl = () => s.calls().filter((c) => c.startsWith('systemctl'));
    assert.deepEqual(systemctl(), [
      'systemctl stop opamp-supervisor.service',
      'systemctl disable opamp-supervisor.service',
      'systemctl daemon-reload',
      'systemctl enable otelcol-contrib.service',
      'systemctl restart otelcol-contrib.service',
    ]);

    // The storage moved whole (the instance id, the last remote config, the merged config), the
    // old directories are gone, and effective_config.yaml shows what the collector runs with.
    const storageAfter = [
      'otelcol-contrib/',
      'otelcol-contrib/effective.yaml',
      'otelcol-contrib/effective_config.yaml',
      'otelcol-contrib/last_recv_remote_config.dat',
      'otelcol-contrib/persistent_state.yaml',
    ];
    assert.deepEqual(tree(upper(s, 'var/lib')), storageAfter);
    for (const [name, text] of Object.entries(legacy.storage)) {
      assert.equal(readFileSync(upper(s, join(storageDir, name)), 'utf8'), text, name);
    }
    assertEffectiveConfigLink(upper(s, storageDir));
    assert.equal(
      readFileSync(upper(s, join(storageDir, 'effective_config.yaml')), 'utf8'),
      legacy.storage['effective.yaml'],
    );
    assert.equal(modeOf(upper(s, storageDir)), 0o750);
    assert.equal(
      readSupervisorYaml(upper(s, 'etc/otelcol-supervisor/supervisor.yaml')).storage.directory,
      storageDir,
    );

    // The old unit file is gone: its path is now only the alias symlink; the drop-in followed.
    assert.ok(lstatSync(upper(s, legacy.unitFile)).isSymbolicLink(), 'the old unit file is gone');
    assert.equal(readlinkSync(upper(s, legacy.unitFile)), 'otelcol-contrib.service');
    assert.ok(!existsSync(upper(s, `${legacy.unitFile}.d`)));
    assert.equal(readFileSync(upper(s, `${unitFile}.d/override.conf`), 'utf8'), legacy.dropInText);
    assert.ok(readFileSync(upper(s, unitFile), 'utf8').split('\n').includes(aliasLine));
    assert.deepEqual(hostState(), before, 'the host itself is untouched');

    const firstRun = systemctl().length;
    const again = await install(s, ['--token', token, '--mirror', mirror]);
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.doesNotMatch(again.stdout, /earlier version|moved|removed/, 'nothing is left to migrate');
    assert.deepEqual(systemctl().slice(firstRun), [
      'systemctl daemon-reload',
      'systemctl enable otelcol-contrib.service',
      'systemctl restart otelcol-contrib.service',
    ]);
    assert.deepEqual(tree(upper(s, 'var/lib')), storageAfter);
    assert.equal(
      readFileSync(upper(s, join(storageDir, 'persistent_state.yaml')), 'utf8'),
      legacy.storage['persistent_state.yaml'],
    );

    // An earlier copy of the script run once more recreates the old unit and a fresh storage: the
    // next run retires that unit again but keeps the migrated identity, and says so. (That script
    // renamed its unit file over the alias symlink.)
    unlinkSync(upper(s, legacy.unitFile));
    writeLegacyInstall(upper(s, ''));
    const stray = 'instance_id: 0199a900-0000-7000-8000-000000000001\n';
    writeFileSync(upper(s, join(legacy.storageDir, 'persistent_state.yaml')), stray);
    const secondRun = systemctl().length;
    const third = await install(s, ['--token', token, '--mirror', mirror]);
    assert.equal(third.status, 0, third.stdout + third.stderr);
    assert.match(
      third.stderr,
      /warning: \/var\/lib\/otelcol\/supervisor and \/var\/lib\/otelcol-contrib both hold a supervisor state; keeping \/var\/lib\/otelcol-contrib/,
    );
    assert.equal(
      readFileSync(upper(s, join(storageDir, 'persistent_state.yaml')), 'utf8'),
      legacy.storage['persistent_state.yaml'],
    );
    assert.equal(readFileSync(upper(s, join(legacy.storageDir, 'persistent_state.yaml')), 'utf8'), stray);
    assert.ok(lstatSync(upper(s, legacy.unitFile)).isSymbolicLink());
    assert.deepEqual(systemctl().slice(secondRun), [
      'systemctl stop opamp-supervisor.service',
      'systemctl disable opamp-supervisor.service',
      'systemctl daemon-reload',
      'systemctl enable otelcol-contrib.service',
      'systemctl restart otelcol-contrib.service',
    ]);
    assert.ok(readFileSync(upper(s, unitFile), 'utf8').split('\n').includes(aliasLine));
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
