import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import Fastify from 'fastify';
import { startTestServer } from '../../../testing/server-harness.ts';
import { AGENT_ENTRY_URL } from './agent-bundle.ts';
import {
  INSTALL_SCRIPTS,
  loadInstallScriptTemplate,
  registerDownloadRoutes,
  renderInstallScript,
} from './downloads.routes.ts';

const tempDirs: string[] = [];
after(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'downloads-routes-test-'));
  tempDirs.push(dir);
  return dir;
};

/**
 * A stand-in agent: a TypeScript entry with its own hashbang (as cli.ts has) importing a CommonJS
 * module that calls `require`, the case an ES module bundle breaks on unless it provides one.
 */
function fixtureAgent(dir: string, greeting = 'fixture-agent'): string {
  writeFileSync(join(dir, 'dep.cjs'), "module.exports = require('node:path').posix.join('cjs', 'ok');\n");
  const entry = join(dir, 'cli.ts');
  writeFileSync(
    entry,
    '#!/usr/bin/env node\n' +
      "import dep from './dep.cjs';\n" +
      `const name: string = '${greeting}';\n` +
      "process.stdout.write(`${name} ${dep} ${process.argv.slice(2).join(' ')}\\n`);\n",
  );
  return entry;
}

/** Runs a served bundle with this Node.js, as install.sh's wrapper does. */
function runBundle(source: string, args: string[]) {
  const file = join(tempDir(), 'linkmesh-agent.mjs');
  writeFileSync(file, source);
  return spawnSync(process.execPath, [file, ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('GET /api/v1/downloads/<installer>', () => {
  for (const name of INSTALL_SCRIPTS) {
    it(`serves ${name} with the external URL, as a shell script that is never cached`, async () => {
      const app = Fastify();
      registerDownloadRoutes(app, { externalUrl: () => 'https://fleet.example.com' });
      try {
        const res = await app.inject({ url: `/api/v1/downloads/${name}` });
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['content-type'], 'text/x-shellscript; charset=utf-8');
        assert.equal(res.headers['cache-control'], 'no-store');
        assert.ok(res.body.startsWith('#!/bin/sh\n'));
        assert.ok(res.body.split('\n').includes("LINKMESH_SERVER_URL='https://fleet.example.com'"));
        assert.equal(
          res.body,
          renderInstallScript(loadInstallScriptTemplate(name), 'https://fleet.example.com'),
        );
      } finally {
        await app.close();
      }
    });
  }
});

describe('GET /api/v1/downloads/linkmesh-agent.mjs', () => {
  it('serves one runnable ES module with a node shebang, bundled once and then served from memory', async () => {
    const dir = tempDir();
    const entry = fixtureAgent(dir);
    const app = Fastify();
    registerDownloadRoutes(app, { externalUrl: () => 'http://x', agentEntry: entry });
    try {
      const first = await app.inject({ url: '/api/v1/downloads/linkmesh-agent.mjs' });
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(first.headers['content-type'], 'text/javascript; charset=utf-8');
      assert.ok(first.body.startsWith('#!/usr/bin/env node\n'));
      const run = runBundle(first.body, ['--help']);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, 'fixture-agent cjs/ok --help\n');

      fixtureAgent(dir, 'changed-after-the-first-request');
      const second = await app.inject({ url: '/api/v1/downloads/linkmesh-agent.mjs' });
      assert.equal(second.body, first.body, 'the bundle is built once per process');
    } finally {
      await app.close();
    }
  });

  it('answers 503 JSON while the agent cannot be bundled, and serves it once it can', async () => {
    const dir = tempDir();
    const entry = join(dir, 'cli.ts');
    const logged: unknown[] = [];
    const app = Fastify();
    registerDownloadRoutes(app, {
      externalUrl: () => 'http://x',
      agentEntry: entry,
      logger: { error: (...args: unknown[]) => void logged.push(args) },
    });
    try {
      const missing = await app.inject({ url: '/api/v1/downloads/linkmesh-agent.mjs' });
      assert.equal(missing.statusCode, 503);
      assert.equal(missing.headers['content-type'], 'application/json; charset=utf-8');
      assert.deepEqual(missing.json(), {
        error: {
          code: 'unavailable',
          message: 'the linkmesh-agent bundle could not be built; see the server log',
        },
      });
      assert.ok(!missing.body.includes(dir), 'no server paths in a public answer');
      assert.equal(logged.length, 1);

      fixtureAgent(dir);
      const fixed = await app.inject({ url: '/api/v1/downloads/linkmesh-agent.mjs' });
      assert.equal(fixed.statusCode, 200, 'a failed build is not remembered');
      assert.ok(fixed.body.startsWith('#!/usr/bin/env node\n'));
    } finally {
      await app.close();
    }
  });
});

const agentEntry = fileURLToPath(AGENT_ENTRY_URL);
describe('downloads on a running server', () => {
  it('serves install.sh and the real linkmesh-agent bundle without authentication', async () => {
    const server = await startTestServer();
    try {
      const script = await fetch(`${server.url}/api/v1/downloads/install.sh`);
      assert.equal(script.status, 200);
      assert.ok((await script.text()).split('\n').includes(`LINKMESH_SERVER_URL='${server.url}'`));

      const opamp = await fetch(`${server.url}/api/v1/downloads/install-opamp.sh`);
      assert.equal(opamp.status, 200);
      await opamp.body?.cancel();
    } finally {
      await server.close();
    }
  });

  it(
    'the served agent bundle runs `node linkmesh-agent.mjs --help`',
    existsSync(agentEntry) ? {} : { skip: `${agentEntry} does not exist yet` },
    async () => {
      const server = await startTestServer();
      try {
        const res = await fetch(`${server.url}/api/v1/downloads/linkmesh-agent.mjs`);
        const source = await res.text();
        assert.equal(res.status, 200, source);
        assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
        const help = runBundle(source, ['--help']);
        assert.equal(help.status, 0, help.stderr);
        for (const command of ['enroll', 'run', 'status'])
          assert.match(help.stdout, new RegExp(`^\\s+${command}\\b`, 'm'));
        const enrollHelp = runBundle(source, ['enroll', '--help']);
        assert.equal(enrollHelp.status, 0, enrollHelp.stderr);
        for (const flag of [
          '--server',
          '--token',
          '--config',
          '--alloy-config',
          '--collector-binary',
          '--hostname',
          '--force',
        ]) {
          assert.ok(enrollHelp.stdout.includes(flag), `enroll --help lacks ${flag}: install.sh passes it`);
        }
      } finally {
        await server.close();
      }
    },
  );
});
