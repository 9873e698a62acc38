import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  hostArch,
  hostStateOf,
  InstallerSandbox,
  modeOf,
  realCommand,
  SHELLS,
  token,
  tree,
} from './installer.sandbox.ts';

const unitPath = 'etc/systemd/system/alloy.service';
const wrapperPath = 'usr/local/bin/linkmesh-agent';
const aptListPath = 'etc/apt/sources.list.d/grafana.list';
const yumRepoPath = 'etc/yum.repos.d/grafana.repo';
const agentConfigPath = 'etc/linkmesh-agent/config.yaml';
const nodeArch = hostArch === 'arm64' ? 'arm64' : 'x64';
const nodeTarball = `node-v20.20.2-linux-${nodeArch}.tar.xz`;
const hint = `${token.slice(0, 9)}…`;
const enrollLine = (server: string, collectorBinary = '/usr/bin/alloy') =>
  `would run: /usr/local/bin/linkmesh-agent enroll --server ${server} --token ${hint} ` +
  '--config /etc/linkmesh-agent/config.yaml --alloy-config /etc/alloy/config.alloy ' +
  `--collector-binary ${collectorBinary} --force`;

/** What a dry run needs from the host when PATH is isolated (no package manager, no node). */
const dryRunCommands = [
  'mktemp',
  'mkdir',
  'chmod',
  'cat',
  'awk',
  'grep',
  'dirname',
  'mv',
  'uname',
  'id',
  'rm',
];

// Host paths a real install would write; a dry run must leave them exactly as they were.
const hostState = () =>
  hostStateOf([
    '/etc/linkmesh-agent',
    '/etc/alloy',
    '/etc/systemd/system/alloy.service',
    '/etc/apt/sources.list.d/grafana.list',
    '/etc/apt/keyrings/grafana.gpg',
    '/etc/yum.repos.d/grafana.repo',
    '/opt/linkmesh-agent',
    '/usr/local/bin/linkmesh-agent',
    '/usr/bin/alloy',
    '/var/lib/alloy',
    '/var/lib/linkmesh-agent',
  ]);

const lines = (path: string) => readFileSync(path, 'utf8').split('\n');

for (const shell of SHELLS) {
  describe(`install.sh under ${shell.join(' ')}`, () => {
    const sandboxes: InstallerSandbox[] = [];
    const sandbox = (serverUrl: string | null = 'http://127.0.0.1:8080') => {
      const s = new InstallerSandbox('install.sh', serverUrl);
      sandboxes.push(s);
      return s;
    };
    after(() => sandboxes.forEach((s) => s.dispose()));
    const dryRun = (s: InstallerSandbox, ...rest: string[]) =>
      s.run(shell, ['--dry-run', '--root', s.root, ...rest]);

    it('writes an alloy.service that runs the agent as alloy, and nothing outside --root', () => {
      const s = sandbox();
      const before = hostState();
      const r = dryRun(s, '--token', token);
      assert.equal(r.status, 0, r.stderr);
      const unit = lines(join(s.root, unitPath));
      for (const line of [
        'ExecStart=/usr/local/bin/linkmesh-agent run --config /etc/linkmesh-agent/config.yaml',
        'User=alloy',
        'Group=alloy',
        'Type=simple',
        'Restart=always',
        'KillMode=mixed',
        'TimeoutStopSec=45s',
        'WorkingDirectory=/var/lib/alloy',
        'After=network-online.target',
        'WantedBy=multi-user.target',
      ]) {
        assert.ok(unit.includes(line), `${line} missing from:\n${unit.join('\n')}`);
      }
      assert.equal(unit.filter((l) => l.startsWith('ExecStart=')).length, 1);
      assert.equal(modeOf(join(s.root, unitPath)), 0o644);
      assert.deepEqual(tree(s.root), [
        'etc/',
        'etc/alloy/',
        'etc/apt/',
        'etc/apt/sources.list.d/',
        'etc/apt/sources.list.d/grafana.list',
        'etc/linkmesh-agent/',
        'etc/systemd/',
        'etc/systemd/system/',
        'etc/systemd/system/alloy.service',
        'opt/',
        'opt/linkmesh-agent/',
        'usr/',
        'usr/local/',
        'usr/local/bin/',
        'usr/local/bin/linkmesh-agent',
        'var/',
        'var/lib/',
        'var/lib/alloy/',
        'var/lib/alloy/data/',
        'var/lib/linkmesh-agent/',
      ]);
      assert.equal(modeOf(join(s.root, 'etc/linkmesh-agent')), 0o700);
      assert.equal(modeOf(join(s.root, 'etc/alloy')), 0o770);
      assert.equal(modeOf(join(s.root, 'var/lib/linkmesh-agent')), 0o700);
      assert.equal(modeOf(join(s.root, 'var/lib/alloy/data')), 0o750);
      assert.deepEqual([tree(s.tmp), tree(s.cwd), tree(s.home)], [[], [], []]);
      assert.deepEqual(s.calls(), [], 'a dry run downloads, installs, chowns and starts nothing');
      assert.deepEqual(hostState(), before);
      for (const planned of [
        'would run: chown -R alloy:alloy /etc/linkmesh-agent /var/lib/linkmesh-agent',
        'would run: chown root:alloy /etc/alloy',
        'would run: systemctl daemon-reload && systemctl enable alloy.service && systemctl restart alloy.service',
      ]) {
        assert.ok(r.stdout.includes(planned), `${planned} missing from:\n${r.stdout}`);
      }
    });

    it('writes a wrapper that runs the agent with a recent enough node from PATH', () => {
      const s = sandbox();
      s.shim('node', 'echo v20.19.0');
      const r = dryRun(s, '--token', token);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(
        readFileSync(join(s.root, wrapperPath), 'utf8'),
        '#!/bin/sh\n' +
          '# Written by the LinkMesh installer (install.sh); re-running it rewrites this file.\n' +
          `exec ${join(s.bin, 'node')} /opt/linkmesh-agent/linkmesh-agent.mjs "$@"\n`,
      );
      assert.equal(modeOf(join(s.root, wrapperPath)), 0o755);
      assert.ok(!r.stdout.includes('nodejs.org'), 'no Node.js download when PATH has one');
      assert.ok(
        r.stdout.includes('would download http://127.0.0.1:8080/api/v1/downloads/linkmesh-agent.mjs'),
      );
    });

    it('installs the pinned Node.js, verified by checksum, when PATH has none new enough', () => {
      for (const old of ['v20.18.3', 'v18.20.4', 'not a version']) {
        const s = sandbox();
        s.shim('node', `echo '${old}'`);
        const r = dryRun(s, '--token', token);
        assert.equal(r.status, 0, r.stderr);
        assert.ok(
          r.stdout.includes(`would download https://nodejs.org/dist/v20.20.2/${nodeTarball}`),
          r.stdout,
        );
        assert.ok(
          r.stdout.includes('would verify it against https://nodejs.org/dist/v20.20.2/SHASUMS256.txt'),
        );
        assert.ok(r.stdout.includes(`would unpack ${nodeTarball} into /opt/linkmesh-agent/node`));
        assert.ok(
          lines(join(s.root, wrapperPath)).includes(
            'exec /opt/linkmesh-agent/node/bin/node /opt/linkmesh-agent/linkmesh-agent.mjs "$@"',
          ),
          `node ${old} must not be used`,
        );
      }
    });

    it('--node (or LINKMESH_NODE) picks the node, and a too old one is refused', () => {
      const s = sandbox();
      s.shim('mynode', 'echo v22.12.0');
      const mynode = join(s.bin, 'mynode');
      for (const [args, env] of [
        [['--node', mynode], {}],
        [[], { LINKMESH_NODE: mynode }],
      ] as const) {
        const r = s.run(shell, ['--dry-run', '--root', s.root, '--token', token, ...args], env);
        assert.equal(r.status, 0, r.stderr);
        assert.ok(
          lines(join(s.root, wrapperPath)).includes(
            `exec ${mynode} /opt/linkmesh-agent/linkmesh-agent.mjs "$@"`,
          ),
        );
      }
      s.shim('oldnode', 'echo v20.18.0');
      const old = dryRun(s, '--token', token, '--node', join(s.bin, 'oldnode'));
      assert.notEqual(old.status, 0);
      assert.match(old.stderr, /--node .*oldnode is not Node\.js 20\.19 or newer/);
    });

    it('adds the Grafana APT repository and installs alloy with apt-get on Debian/Ubuntu', () => {
      const s = sandbox();
      const r = dryRun(s, '--token', token);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(lines(join(s.root, aptListPath)), [
        '# Written by the LinkMesh installer (install.sh): Grafana package repository, for Alloy.',
        'deb [signed-by=/etc/apt/keyrings/grafana.gpg] https://apt.grafana.com stable main',
        '',
      ]);
      assert.equal(modeOf(join(s.root, aptListPath)), 0o644);
      const order = [
        'would download https://apt.grafana.com/gpg.key and write it (gpg --dearmor) to /etc/apt/keyrings/grafana.gpg',
        'would run: apt-get update',
        'would run: apt-get install -y alloy',
      ].map((step) => r.stdout.indexOf(step));
      assert.ok(
        order.every((at, i) => at >= 0 && (i === 0 || at > (order[i - 1] ?? 0))),
        r.stdout,
      );
      assert.ok(r.stdout.includes(enrollLine('http://127.0.0.1:8080')), r.stdout);
    });

    it('adds the Grafana RPM repository and installs alloy with dnf, or yum, on RHEL/Fedora', () => {
      for (const manager of ['dnf', 'yum']) {
        const s = sandbox();
        s.unshim('apt-get');
        if (manager === 'yum') s.unshim('dnf');
        const r = s.run(
          shell,
          ['--dry-run', '--root', s.root, '--token', token],
          s.isolatePath(dryRunCommands),
        );
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(lines(join(s.root, yumRepoPath)), [
          '# Written by the LinkMesh installer (install.sh): Grafana package repository, for Alloy.',
          '[grafana]',
          'name=grafana',
          'baseurl=https://rpm.grafana.com',
          'repo_gpgcheck=1',
          'enabled=1',
          'gpgcheck=1',
          'gpgkey=https://rpm.grafana.com/gpg.key',
          'sslverify=1',
          'sslcacert=/etc/pki/tls/certs/ca-bundle.crt',
          '',
        ]);
        assert.ok(r.stdout.includes(`would run: ${manager} install -y alloy`), r.stdout);
        assert.ok(!existsSync(join(s.root, aptListPath)));
        assert.ok(!r.stdout.includes('apt-get'));
      }
    });

    it('--mirror takes Alloy and Node.js from the documented layout and adds no package repository', () => {
      const s = sandbox();
      s.shim('node', 'echo v18.0.0');
      const r = dryRun(s, '--token', token, '--mirror', 'https://m.corp/linkmesh/');
      assert.equal(r.status, 0, r.stderr);
      for (const url of [
        `would download https://m.corp/linkmesh/alloy/v1.18.1/alloy-linux-${hostArch}.zip`,
        'would verify it against https://m.corp/linkmesh/alloy/v1.18.1/SHA256SUMS',
        `would download https://m.corp/linkmesh/node/v20.20.2/${nodeTarball}`,
        'would verify it against https://m.corp/linkmesh/node/v20.20.2/SHASUMS256.txt',
        `would install alloy-linux-${hostArch} from alloy-linux-${hostArch}.zip as /usr/bin/alloy`,
      ]) {
        assert.ok(r.stdout.includes(url), `${url} missing from:\n${r.stdout}`);
      }
      assert.ok(!/apt|dnf|yum|nodejs\.org|github\.com/.test(r.stdout), r.stdout);
      assert.ok(!existsSync(join(s.root, 'etc/apt')));
      const dir = s.run(
        shell,
        ['--dry-run', '--root', s.root, '--token', token, '--mirror', '/srv/mirror/'],
        {
          ALLOY_VERSION: 'v1.19.2',
        },
      );
      assert.equal(dir.status, 0, dir.stderr);
      assert.ok(dir.stdout.includes(`would copy /srv/mirror/alloy/v1.19.2/alloy-linux-${hostArch}.zip`));
      assert.ok(dir.stdout.includes(`would copy /srv/mirror/node/v20.20.2/${nodeTarball}`));
    });

    it('--skip-checksum drops the verification steps', () => {
      const s = sandbox();
      s.shim('node', 'echo v18.0.0');
      const r = dryRun(s, '--token', token, '--mirror', '/srv/mirror', '--skip-checksum');
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.includes('would copy /srv/mirror/alloy/'));
      assert.ok(!r.stdout.includes('would verify'), r.stdout);
    });

    it('keeps an alloy that is already installed and enrols with its path', () => {
      const s = sandbox();
      s.shim('alloy', 'echo alloy v1.10.0');
      const r = dryRun(s, '--token', token, '--mirror', 'https://m.corp');
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.includes(`Alloy: already installed at ${join(s.bin, 'alloy')}; kept`));
      assert.ok(r.stdout.includes(enrollLine('http://127.0.0.1:8080', join(s.bin, 'alloy'))), r.stdout);
      assert.ok(!r.stdout.includes('/alloy/v'), 'no Alloy download');
      assert.ok(!existsSync(join(s.root, 'etc/apt')));
    });

    it('--skip-alloy never installs Alloy, and warns when there is none', () => {
      const s = sandbox();
      const r = dryRun(s, '--token', token, '--skip-alloy');
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /warning: --skip-alloy: no alloy on PATH; the agent will run \/usr\/bin\/alloy/);
      assert.ok(r.stdout.includes(enrollLine('http://127.0.0.1:8080')), r.stdout);
      assert.ok(!/apt-get|grafana\.gpg/.test(r.stdout));
      assert.ok(!existsSync(join(s.root, 'etc/apt')));
    });

    it('never prints the full token, and passes --hostname and --server on to the agent', () => {
      const s = sandbox('https://fleet.example.com/linkmesh/');
      const r = dryRun(s, '--token', token, '--hostname', 'web-01.example.com');
      assert.equal(r.status, 0, r.stderr);
      const out = r.stdout + r.stderr;
      assert.ok(!out.includes(token), 'the full token must not be printed');
      assert.ok(out.includes(hint));
      assert.ok(
        r.stdout.includes(
          enrollLine('https://fleet.example.com/linkmesh').replace(
            ' --force',
            ' --hostname web-01.example.com --force',
          ),
        ),
        r.stdout,
      );
      assert.ok(
        r.stdout.includes(
          'would download https://fleet.example.com/linkmesh/api/v1/downloads/linkmesh-agent.mjs',
        ),
      );
      assert.ok(r.stdout.includes('journalctl -u alloy -f'));
      const overridden = dryRun(s, '--token', token, '--server', 'http://[::1]:9090');
      assert.equal(overridden.status, 0, overridden.stderr);
      assert.ok(overridden.stdout.includes(enrollLine('http://[::1]:9090')), overridden.stdout);
    });

    it('reads the token from LINKMESH_TOKEN (for sudo -E)', () => {
      const s = sandbox();
      const r = s.run(shell, ['--dry-run', '--root', s.root], { LINKMESH_TOKEN: token });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.includes(enrollLine('http://127.0.0.1:8080')), r.stdout);
    });

    it('skips enrolment, needing no token, once config.yaml exists; --reenroll enrols again', () => {
      const s = sandbox();
      mkdirSync(join(s.root, 'etc/linkmesh-agent'), { recursive: true });
      writeFileSync(join(s.root, agentConfigPath), 'enrolled: true\n');
      const rerun = dryRun(s);
      assert.equal(rerun.status, 0, rerun.stderr);
      assert.match(
        rerun.stdout,
        /already enrolled \(\/etc\/linkmesh-agent\/config\.yaml exists\): enrolment is skipped/,
      );
      assert.ok(!rerun.stdout.includes(' enroll '), rerun.stdout);
      assert.ok(rerun.stdout.includes('systemctl restart alloy.service'), 'the service is still restarted');

      const noToken = dryRun(s, '--reenroll');
      assert.notEqual(noToken.status, 0);
      assert.match(noToken.stderr, /an enrollment token is required/);
      const reenrol = dryRun(s, '--reenroll', '--token', token);
      assert.equal(reenrol.status, 0, reenrol.stderr);
      assert.ok(reenrol.stdout.includes(enrollLine('http://127.0.0.1:8080')), reenrol.stdout);
      assert.equal(readFileSync(join(s.root, agentConfigPath), 'utf8'), 'enrolled: true\n');
    });

    it('is idempotent: a second run leaves the same files', () => {
      const s = sandbox();
      const args = ['--token', token];
      assert.equal(dryRun(s, ...args).status, 0);
      const snapshot = () =>
        tree(s.root).map((e) => (e.endsWith('/') ? e : `${e} ${readFileSync(join(s.root, e), 'utf8')}`));
      const first = snapshot();
      const again = dryRun(s, ...args);
      assert.equal(again.status, 0, again.stderr);
      assert.deepEqual(snapshot(), first);
    });

    it('without --root a dry run writes into a fresh temporary directory', () => {
      const s = sandbox();
      const r = s.run(shell, ['--dry-run', '--token', token]);
      assert.equal(r.status, 0, r.stderr);
      const [dir, ...rest] = tree(s.tmp).filter((e) => /^install-dry-run\.[^/]+\/$/.test(e));
      assert.ok(dir !== undefined && rest.length === 0, tree(s.tmp).join(', '));
      assert.ok(existsSync(join(s.tmp, dir, unitPath)));
    });

    it('works piped into sh -s --, and a download cut short runs nothing', () => {
      const s = sandbox();
      const script = readFileSync(s.script, 'utf8');
      const piped = s.runPiped(shell, script, ['--dry-run', '--root', s.root, '--token', token]);
      assert.equal(piped.status, 0, piped.stderr);
      assert.ok(existsSync(join(s.root, unitPath)));

      const cut = sandbox();
      for (const fraction of [0.3, 0.6, 0.9, 0.99]) {
        const partial = script.slice(0, Math.floor(script.length * fraction));
        const r = cut.runPiped(shell, partial, ['--dry-run', '--root', cut.root, '--token', token]);
        assert.notEqual(r.status, 0, `a script cut at ${fraction} must fail`);
        assert.equal(r.stdout, '', `a script cut at ${fraction} must run nothing`);
        assert.deepEqual(tree(cut.root), []);
      }
    });

    it('does not need root for a dry run, and --help documents the flags and the mirror layout', () => {
      const s = sandbox();
      s.shim('id', 'echo 1000');
      assert.equal(dryRun(s, '--token', token).status, 0);
      const h = sandbox();
      const help = h.run(shell, ['--help']);
      assert.equal(help.status, 0);
      for (const text of [
        '--token',
        '--mirror',
        '--skip-alloy',
        '--reenroll',
        '--node',
        'M/alloy/v<V>/SHA256SUMS',
      ]) {
        assert.ok(help.stdout.includes(text), text);
      }
      assert.deepEqual([tree(h.root), tree(h.tmp), h.calls()], [[], [], []], '--help writes nothing');
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
        assert.match(r.stderr, /^install: error: /m);
        assert.match(r.stderr, message);
        assert.deepEqual(tree(s.root), [], 'nothing is written');
        assert.deepEqual(s.calls(), []);
        assert.ok(!(r.stdout + r.stderr).includes(token), 'not even an error prints the full token');
      };
      const dry =
        (...rest: string[]) =>
        (s: InstallerSandbox) => ['--dry-run', '--root', s.root, ...rest];
      const real =
        (...rest: string[]) =>
        () =>
          rest;

      it('no token', () => {
        refuse(dry(), /enrollment token is required.*--token/);
        refuse(dry('--token'), /--token needs a value/);
        refuse(dry('--token', '--mirror', 'https://m'), /--token needs a value/);
      });
      it('a token with characters that do not belong in a token', () => {
        refuse(dry('--token', 'lmet_"x$(id)'), /characters a LinkMesh token never has/);
        refuse(dry('--token', 'lmet_abc'), /too short to be a LinkMesh enrollment token/);
      });
      it('a bad --server, or an unsubstituted template without one', () => {
        for (const bad of ['fleet.example.com', 'ftp://fleet', 'https://', 'https://a b', 'https://x?a=1']) {
          refuse(dry('--token', token, '--server', bad), /--server must be an http:\/\/ or https:\/\/ URL/);
        }
        const s = sandbox(null);
        const r = s.run(shell, ['--dry-run', '--root', s.root, '--token', token]);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /no server URL: .*pass --server URL/);
      });
      it('an unknown option, or a value on a flag', () => {
        refuse(dry('--token', token, '--frobnicate'), /unknown option '--frobnicate'/);
        refuse(dry('--skip-alloy=yes', '--token', token), /--skip-alloy does not take a value/);
      });
      it('a bad --alloy-version, --mirror, --node or --hostname', () => {
        refuse(dry('--token', token, '--alloy-version', 'latest'), /--alloy-version must look like 1\.18\.1/);
        refuse(dry('--token', token, '--mirror', 'mirror.corp'), /--mirror must be an http\(s\):\/\/ URL/);
        refuse(dry('--token', token, '--node', 'node'), /--node must be an absolute path/);
        refuse(dry('--token', token, '--node', '/opt/my node'), /--node path has unexpected characters/);
        refuse(
          dry('--token', token, '--node', '/nonexistent/node'),
          /--node \/nonexistent\/node is not an executable/,
        );
        refuse(dry('--token', token, '--hostname', 'a;b'), /--hostname may hold letters, digits/);
      });
      it('--root without --dry-run', () => {
        refuse((s) => ['--root', s.root, '--token', token], /--root is only allowed with --dry-run/);
      });
      it('a host without apt-get, dnf or yum, and no --mirror', () => {
        refuse(dry('--token', token), /no apt-get, dnf or yum\. Use --mirror URL\|DIR/, (s) => {
          for (const manager of ['apt-get', 'dnf', 'yum']) s.unshim(manager);
          return s.isolatePath(dryRunCommands);
        });
      });
      it('a real install when not root', () => {
        refuse(real('--token', token), /must run as root.*sudo sh -s -- --token/, (s) => {
          s.shim('id', 'echo 1000');
          return undefined;
        });
      });
      it('a real install without curl or wget', () => {
        refuse(real('--token', token), /curl or wget is required/, (s) => {
          s.shim('id', 'echo 0');
          s.unshim('curl');
          s.unshim('wget');
          return s.isolatePath(dryRunCommands.filter((c) => c !== 'id'));
        });
      });
      it('an unsupported operating system or architecture', () => {
        refuse(dry('--token', token), /unsupported operating system 'Darwin'/, (s) => {
          s.shim('uname', 'case "$1" in -s) echo Darwin ;; *) echo arm64 ;; esac');
          return undefined;
        });
        refuse(dry('--token', token), /unsupported architecture 'riscv64'/, (s) => {
          s.shim('uname', 'case "$1" in -s) echo Linux ;; *) echo riscv64 ;; esac');
          return undefined;
        });
      });
    });
  });
}

const shellcheck = realCommand('shellcheck');
describe('install.sh shellcheck', () => {
  it(
    'finds nothing in the script',
    shellcheck ? {} : { skip: 'shellcheck is not installed (apt-get install shellcheck)' },
    () => {
      const s = new InstallerSandbox('install.sh', 'https://fleet.example.com');
      try {
        const r = s.exec([shellcheck, '--shell=sh', '--severity=style', s.script]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
      } finally {
        s.dispose();
      }
    },
  );
});
