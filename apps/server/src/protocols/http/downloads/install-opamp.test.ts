import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { renderInstallScript } from './downloads.routes.ts';
import {
  aliasLine,
  assertEffectiveConfigLink,
  capabilities,
  execStart,
  hostState,
  legacy,
  opampSandbox,
  readSupervisorYaml,
  storageDir,
  template,
  unitFile,
  writeLegacyInstall,
} from './install-opamp.sandbox.ts';
import { hostArch, InstallerSandbox, modeOf, realCommand, SHELLS, token, tree } from './installer.sandbox.ts';

const otherToken = 'lmet_ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210_-ZyXw';
const releases = 'https://github.com/open-telemetry/opentelemetry-collector-releases/releases/download';
const configPath = 'etc/otelcol-supervisor/supervisor.yaml';
const unitPath = unitFile.slice(1);
const storagePath = storageDir.slice(1);

for (const shell of SHELLS) {
  describe(`install-opamp.sh under ${shell.join(' ')}`, () => {
    const sandboxes: InstallerSandbox[] = [];
    const sandbox = (serverUrl: string | null = 'http://127.0.0.1:8080') => {
      const s = opampSandbox(serverUrl);
      sandboxes.push(s);
      return s;
    };
    after(() => sandboxes.forEach((s) => s.dispose()));

    it('dry run writes a supervisor.yaml that a YAML 1.2 parser reads as LinkMesh expects', () => {
      const s = sandbox('http://127.0.0.1:8080');
      const r = s.run(shell, ['--dry-run', '--root', s.root, '--token', token]);
      assert.equal(r.status, 0, r.stderr);
      const path = join(s.root, configPath);
      assert.equal(modeOf(path), 0o600);
      assert.deepEqual(readSupervisorYaml(path), {
        server: {
          endpoint: 'ws://127.0.0.1:8080/v1/opamp',
          headers: { Authorization: [`Bearer ${token}`] },
          tls: { insecure: true },
        },
        capabilities,
        agent: { executable: '/usr/local/bin/otelcol-contrib', passthrough_logs: true },
        storage: { directory: storageDir },
      });
    });

    it('maps an https server to wss, keeps a path prefix, and writes no tls section', () => {
      const s = sandbox('https://fleet.example.com/linkmesh/');
      const r = s.run(shell, ['--dry-run', '--root', s.root, '--token', token]);
      assert.equal(r.status, 0, r.stderr);
      const yaml = readSupervisorYaml(join(s.root, configPath));
      assert.equal(yaml.server.endpoint, 'wss://fleet.example.com/linkmesh/v1/opamp');
      assert.equal(yaml.server.tls, undefined);
      assert.deepEqual(yaml.capabilities, capabilities);
    });

    it('--server overrides the substituted URL', () => {
      const s = sandbox('https://fleet.example.com');
      const r = s.run(shell, [
        '--dry-run',
        '--root',
        s.root,
        '--token',
        token,
        '--server',
        'http://[::1]:9090',
      ]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(readSupervisorYaml(join(s.root, configPath)).server.endpoint, 'ws://[::1]:9090/v1/opamp');
    });

    it('writes the otelcol-contrib unit (alias opamp-supervisor), the storage directory with the effective_config.yaml link, and nothing outside --root', () => {
      const s = sandbox();
      const before = hostState();
      const r = s.run(shell, ['--dry-run', '--root', s.root, '--token', token]);
      assert.equal(r.status, 0, r.stderr);
      const unit = readFileSync(join(s.root, unitPath), 'utf8').split('\n');
      for (const line of [
        execStart,
        'Restart=on-failure',
        'After=network-online.target',
        'User=otelcol',
        `WorkingDirectory=${storageDir}`,
        '[Install]',
        'WantedBy=multi-user.target',
        aliasLine,
      ]) {
        assert.ok(unit.includes(line), line);
      }
      assert.ok(unit.indexOf(aliasLine) > unit.indexOf('[Install]'), 'Alias= belongs to [Install]');
      assert.equal(modeOf(join(s.root, unitPath)), 0o644);
      assert.equal(modeOf(join(s.root, storagePath)), 0o750);
      assertEffectiveConfigLink(join(s.root, storagePath));
      assert.deepEqual(tree(s.root), [
        'etc/',
        'etc/otelcol-supervisor/',
        'etc/otelcol-supervisor/supervisor.yaml',
        'etc/systemd/',
        'etc/systemd/system/',
        'etc/systemd/system/otelcol-contrib.service',
        'var/',
        'var/lib/',
        'var/lib/otelcol-contrib/',
        'var/lib/otelcol-contrib/effective_config.yaml',
      ]);
      assert.match(
        r.stdout,
        /systemctl enable otelcol-contrib\.service && systemctl restart otelcol-contrib\.service/,
      );
      assert.doesNotMatch(
        r.stdout,
        /would stop|would move|earlier version/,
        'a fresh host has nothing to migrate',
      );
      assert.deepEqual([tree(s.tmp), tree(s.cwd), tree(s.home)], [[], [], []]);
      assert.deepEqual(s.calls(), [], 'a dry run downloads, unpacks, chowns and starts nothing');
      assert.deepEqual(hostState(), before);
    });

    it('without --root a dry run writes into a fresh temporary directory', () => {
      const s = sandbox();
      const r = s.run(shell, ['--dry-run', '--token', token]);
      assert.equal(r.status, 0, r.stderr);
      const [dir, ...rest] = tree(s.tmp).filter((e) => /^install-opamp-dry-run\.[^/]+\/$/.test(e));
      assert.ok(dir !== undefined && rest.length === 0, tree(s.tmp).join(', '));
      assert.ok(existsSync(join(s.tmp, dir, configPath)));
      assert.match(r.stdout, new RegExp(`files are written under ${join(s.tmp, dir.slice(0, -1))}`));
    });

    it('works piped into sh -s --, and a download cut short runs nothing', () => {
      const s = sandbox();
      const script = readFileSync(s.script, 'utf8');
      const piped = s.runPiped(shell, script, ['--dry-run', '--root', s.root, '--token', token]);
      assert.equal(piped.status, 0, piped.stderr);
      assert.ok(existsSync(join(s.root, configPath)));

      const cut = sandbox();
      for (const fraction of [0.3, 0.6, 0.9, 0.99]) {
        const partial = script.slice(0, Math.floor(script.length * fraction));
        const r = cut.runPiped(shell, partial, ['--dry-run', '--root', cut.root, '--token', token]);
        assert.notEqual(r.status, 0, `a script cut at ${fraction} must fail`);
        assert.equal(r.stdout, '', `a script cut at ${fraction} must run nothing`);
        assert.deepEqual(tree(cut.root), []);
      }
    });

    it('does not need root for a dry run', () => {
      const s = sandbox();
      s.shim('id', 'echo 1000');
      assert.equal(s.run(shell, ['--dry-run', '--root', s.root, '--token', token]).status, 0);
    });

    it('prints the pinned upstream download URLs and never the full token', () => {
      const s = sandbox();
      const r = s.run(shell, ['--dry-run', '--root', s.root, '--token', token]);
      assert.equal(r.status, 0, r.stderr);
      const out = r.stdout + r.stderr;
      assert.ok(out.includes(`${releases}/v0.135.0/otelcol-contrib_0.135.0_linux_${hostArch}.tar.gz`), out);
      assert.ok(
        out.includes(
          `${releases}/cmd%2Fopampsupervisor%2Fv0.135.0/opampsupervisor_0.135.0_linux_${hostArch}`,
        ),
        out,
      );
      assert.ok(
        out.includes(`${releases}/v0.135.0/opentelemetry-collector-releases_otelcol-contrib_checksums.txt`),
      );
      assert.ok(!out.includes(token), 'the full token must not be printed');
      assert.ok(out.includes(`${token.slice(0, 9)}…`));
      assert.ok(out.includes('Follow the logs: journalctl -u otelcol-contrib -f'), out);
      assert.ok(out.includes('/var/lib/otelcol-contrib/effective_config.yaml'), out);
      assert.ok(!out.includes('journalctl -u opamp-supervisor -f'), 'the old unit name is only an alias');
      assert.ok(out.includes('ws://127.0.0.1:8080/v1/opamp'));
    });

    it('takes versions from the flags and from OTELCOL_VERSION / SUPERVISOR_VERSION', () => {
      const s = sandbox();
      const flags = s.run(shell, [
        '--dry-run',
        '--root',
        s.root,
        '--token',
        token,
        '--otelcol-version',
        'v0.140.1',
        '--supervisor-version=0.139.0',
      ]);
      assert.equal(flags.status, 0, flags.stderr);
      assert.ok(flags.stdout.includes(`/v0.140.1/otelcol-contrib_0.140.1_linux_${hostArch}.tar.gz`));
      assert.ok(
        flags.stdout.includes(`/cmd%2Fopampsupervisor%2Fv0.139.0/opampsupervisor_0.139.0_linux_${hostArch}`),
      );
      const env = s.run(shell, ['--dry-run', '--root', s.root, '--token', token], {
        OTELCOL_VERSION: '0.150.0',
        SUPERVISOR_VERSION: '0.151.0',
      });
      assert.equal(env.status, 0, env.stderr);
      assert.ok(env.stdout.includes(`otelcol-contrib_0.150.0_linux_${hostArch}.tar.gz`));
      assert.ok(env.stdout.includes(`opampsupervisor_0.151.0_linux_${hostArch}`));
    });

    it('--mirror takes both artifacts and checksums from the documented mirror layout', () => {
      const s = sandbox();
      const r = s.run(shell, [
        '--dry-run',
        '--root',
        s.root,
        '--token',
        token,
        '--mirror',
        'https://m.corp/otel/',
      ]);
      assert.equal(r.status, 0, r.stderr);
      for (const url of [
        `https://m.corp/otel/otelcol-contrib/0.135.0/otelcol-contrib_0.135.0_linux_${hostArch}.tar.gz`,
        'https://m.corp/otel/otelcol-contrib/0.135.0/opentelemetry-collector-releases_otelcol-contrib_checksums.txt',
        `https://m.corp/otel/opampsupervisor/0.135.0/opampsupervisor_0.135.0_linux_${hostArch}`,
        'https://m.corp/otel/opampsupervisor/0.135.0/checksums.txt',
      ]) {
        assert.ok(r.stdout.includes(url), `${url} missing from:\n${r.stdout}`);
      }
      assert.ok(!r.stdout.includes('github.com/open-telemetry'));
    });

    it('reads the token from LINKMESH_TOKEN (for sudo -E)', () => {
      const s = sandbox();
      const r = s.run(shell, ['--dry-run', '--root', s.root], { LINKMESH_TOKEN: token });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(readSupervisorYaml(join(s.root, configPath)).server.headers, {
        Authorization: [`Bearer ${token}`],
      });
    });

    it('is idempotent, and replaces a config with another token keeping one .bak', () => {
      const s = sandbox();
      const args = ['--dry-run', '--root', s.root, '--token', token];
      assert.equal(s.run(shell, args).status, 0);
      const first = [readFileSync(join(s.root, configPath)), readFileSync(join(s.root, unitPath))];
      const again = s.run(shell, args);
      assert.equal(again.status, 0, again.stderr);
      assert.deepEqual([readFileSync(join(s.root, configPath)), readFileSync(join(s.root, unitPath))], first);
      assert.ok(!existsSync(join(s.root, `${configPath}.bak`)), 'an unchanged config is not backed up');
      assert.doesNotMatch(again.stdout, /notice/);

      const replaced = s.run(shell, ['--dry-run', '--root', s.root, '--token', otherToken]);
      assert.equal(replaced.status, 0, replaced.stderr);
      assert.match(replaced.stdout, /notice: .*supervisor\.yaml holds a different token; replacing it/);
      assert.ok(!replaced.stdout.includes(otherToken) && !replaced.stdout.includes(token));
      assert.deepEqual(readFileSync(join(s.root, `${configPath}.bak`)), first[0]);
      assert.equal(modeOf(join(s.root, `${configPath}.bak`)), 0o600);
      assert.deepEqual(readSupervisorYaml(join(s.root, configPath)).server.headers.Authorization, [
        `Bearer ${otherToken}`,
      ]);
      assert.deepEqual(tree(join(s.root, 'etc/otelcol-supervisor')), [
        'supervisor.yaml',
        'supervisor.yaml.bak',
      ]);
    });

    it('dry run on a host installed by the earlier script shows the migration and changes none of it', () => {
      const s = sandbox();
      writeLegacyInstall(s.root);
      const legacyTree = tree(s.root);
      const r = s.run(shell, ['--dry-run', '--root', s.root, '--token', token]);
      assert.equal(r.status, 0, r.stderr);
      for (const line of [
        'install-opamp: [dry-run] would stop and disable opamp-supervisor.service (installed by an earlier version of this script)',
        'install-opamp: [dry-run] would move the supervisor storage /var/lib/otelcol/supervisor to /var/lib/otelcol-contrib (with the instance id: the collector keeps its identity in LinkMesh) and remove /var/lib/otelcol if that leaves it empty',
        'install-opamp: [dry-run] would move the drop-ins /etc/systemd/system/opamp-supervisor.service.d to /etc/systemd/system/otelcol-contrib.service.d',
        'install-opamp: [dry-run] would remove /etc/systemd/system/opamp-supervisor.service; opamp-supervisor.service becomes an alias of otelcol-contrib.service',
      ]) {
        assert.ok(r.stdout.split('\n').includes(line), `${line}\nmissing from:\n${r.stdout}`);
      }
      assert.deepEqual(s.calls(), [], 'a dry run stops and disables nothing');
      for (const [name, text] of Object.entries(legacy.storage)) {
        assert.equal(readFileSync(join(s.root, legacy.storageDir, name), 'utf8'), text, name);
      }
      assert.deepEqual(
        tree(s.root).filter((e) => !legacyTree.includes(e)),
        [
          'etc/otelcol-supervisor/supervisor.yaml.bak',
          'etc/systemd/system/otelcol-contrib.service',
          'var/lib/otelcol-contrib/',
          'var/lib/otelcol-contrib/effective_config.yaml',
        ],
        'the earlier install stays as it was; only the new files are added',
      );
      // The configuration files are written under --root as in any dry run: supervisor.yaml names
      // the new storage, the earlier one is kept as .bak.
      assert.match(r.stdout, /notice: .*supervisor\.yaml differs from what this run writes/);
      assert.equal(readSupervisorYaml(join(s.root, configPath)).storage.directory, storageDir);
    });

    describe('refuses with a clear message', () => {
      const refuse = (
        args: (s: InstallerSandbox) => string[],
        message: RegExp,
        setup?: (s: InstallerSandbox) => Record<string, string> | undefined,
      ) => {
        const s = sandbox();
        const env = setup?.(s);
        const r = s.run(shell, args(s), env);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /^install-opamp: error: /m);
        assert.match(r.stderr, message);
        assert.deepEqual(tree(s.root), [], 'nothing is written');
        assert.deepEqual(s.calls(), []);
      };
      const dryRun =
        (...rest: string[]) =>
        (s: InstallerSandbox) => ['--dry-run', '--root', s.root, ...rest];
      const real =
        (...rest: string[]) =>
        () =>
          rest;

      it('no token', () => {
        refuse(dryRun(), /enrollment token is required.*--token/);
        refuse(dryRun('--token'), /--token needs a value/);
        refuse(dryRun('--token', '--mirror', 'https://m'), /--token needs a value/);
      });
      it('a token with characters that do not belong in a token', () => {
        refuse(dryRun('--token', 'lmet_"x'), /characters a LinkMesh token never has/);
        refuse(dryRun('--token', 'lmet_abc'), /too short to be a LinkMesh enrollment token/);
      });
      it('a bad --server', () => {
        for (const bad of [
          'fleet.example.com',
          'ftp://fleet',
          'https://',
          'https://a b',
          'https://x/"y',
          'https://x?a=1',
        ]) {
          refuse(
            dryRun('--token', token, '--server', bad),
            /--server must be an http:\/\/ or https:\/\/ URL/,
          );
        }
      });
      it('an unsubstituted template without --server', () => {
        const s = sandbox(null);
        const r = s.run(shell, ['--dry-run', '--root', s.root, '--token', token]);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /no server URL: .*pass --server URL/);
        const ok = s.run(shell, ['--dry-run', '--root', s.root, '--token', token, '--server', 'http://h:1']);
        assert.equal(ok.status, 0, ok.stderr);
      });
      it('an unknown option, or a value on a flag', () => {
        refuse(dryRun('--token', token, '--frobnicate'), /unknown option '--frobnicate'/);
        refuse(dryRun('--dry-run=yes', '--token', token), /--dry-run does not take a value/);
      });
      it('a bad version or mirror', () => {
        refuse(dryRun('--token', token, '--otelcol-version', 'latest'), /--otelcol-version must look like/);
        refuse(
          dryRun('--token', token, '--supervisor-version', '1.2.3;rm'),
          /--supervisor-version must look like/,
        );
        refuse(dryRun('--token', token, '--mirror', 'mirror.corp'), /--mirror must be an http\(s\):\/\/ URL/);
      });
      it('an opamp-supervisor.service this installer did not write (the alias needs the name)', () => {
        const s = sandbox();
        mkdirSync(join(s.root, 'etc/systemd/system'), { recursive: true });
        writeFileSync(join(s.root, legacy.unitFile), '[Service]\nExecStart=/opt/other/supervisor\n');
        const r = s.run(shell, ['--dry-run', '--root', s.root, '--token', token]);
        assert.notEqual(r.status, 0);
        assert.match(
          r.stderr,
          /error: \/etc\/systemd\/system\/opamp-supervisor\.service was not written by this installer, and otelcol-contrib\.service needs that name as its alias/,
        );
        assert.deepEqual(tree(s.root), ['etc/', 'etc/systemd/', 'etc/systemd/system/', legacy.unitFile]);
        assert.equal(r.stdout, '');
      });
      it('--root without --dry-run', () => {
        refuse((s) => ['--root', s.root, '--token', token], /--root is only allowed with --dry-run/);
      });
      it('a real install when not root', () => {
        refuse(real('--token', token), /must run as root.*sudo sh -s -- --token/, (s) => {
          s.shim('id', 'echo 1000');
          return undefined;
        });
      });
      it('a real install without curl or wget', () => {
        refuse(real('--token', token), /curl or wget is required/, (s) => {
          // PATH is the shim directory alone: no curl, no wget, and no command that could write.
          s.shim('id', 'echo 0');
          s.shim('uname', 'case "$1" in -s) echo Linux ;; *) echo x86_64 ;; esac');
          s.shim('grep', `exec ${realCommand('grep')} "$@"`);
          s.unshim('curl');
          s.unshim('wget');
          return { PATH: s.bin };
        });
      });
      it('an unsupported operating system or architecture', () => {
        refuse(dryRun('--token', token), /unsupported operating system 'Darwin'/, (s) => {
          s.shim('uname', 'case "$1" in -s) echo Darwin ;; *) echo arm64 ;; esac');
          return undefined;
        });
        refuse(dryRun('--token', token), /unsupported architecture 'riscv64'/, (s) => {
          s.shim('uname', 'case "$1" in -s) echo Linux ;; *) echo riscv64 ;; esac');
          return undefined;
        });
      });
    });
  });
}

describe('renderInstallScript', () => {
  const assignment = (script: string) =>
    script.split('\n').find((l) => l.startsWith('LINKMESH_SERVER_URL=')) ?? '';
  const shValue = (line: string) =>
    spawnSync('/bin/sh', ['-c', `${line}\nprintf '%s' "$LINKMESH_SERVER_URL"`], { encoding: 'utf8' }).stdout;

  it('puts the URL into the single-quoted assignment, the only place the placeholder appears', () => {
    const script = renderInstallScript(template, 'https://fleet.example.com');
    assert.equal(assignment(script), "LINKMESH_SERVER_URL='https://fleet.example.com'");
    assert.ok(!script.includes('__LINKMESH_SERVER_URL__'));
  });

  it('keeps quotes and replacement patterns literal (sh reads back exactly the URL)', () => {
    for (const url of ["https://x/it's", 'https://x/$&$1', 'https://x/`id`$(id)']) {
      assert.equal(shValue(assignment(renderInstallScript(template, url))), url);
    }
  });

  it('refuses a URL with a control character and a template without the placeholder', () => {
    assert.throws(() => renderInstallScript(template, 'https://x\nrm -rf /'), /control character/);
    assert.throws(() => renderInstallScript('#!/bin/sh\n', 'https://x'), /exactly once/);
  });
});

const shellcheck = realCommand('shellcheck');
describe('shellcheck', () => {
  it(
    'finds nothing in the script',
    shellcheck ? {} : { skip: 'shellcheck is not installed (apt-get install shellcheck)' },
    () => {
      const r = spawnSync(shellcheck, ['--shell=sh', '--severity=style', '-'], {
        input: renderInstallScript(template, 'https://fleet.example.com'),
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    },
  );
});
