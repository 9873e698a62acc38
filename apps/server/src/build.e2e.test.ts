import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'linkmesh-built-'));

/** Runs `npm start`'s script as a fresh clone would, until the server listens. */
async function npmStart(): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [join(root, 'scripts/start.mjs')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', LINKMESH_DATA_DIR: dataDir, LINKMESH_LISTEN: '127.0.0.1:0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)".*"msg":"server.listening"/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`npm start exited with ${String(code)}:\n${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

describe('npm start runs the built server (plain JavaScript, no TypeScript loader)', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('builds when the build is missing, serves the API and the prebuilt agent, and does not rebuild when fresh', async () => {
    rmSync(join(root, 'apps/server/dist/BUILD'), { force: true });
    const first = await npmStart();
    try {
      assert.match(first.stderr(), /Building the server, agent and simulator/);
      assert.deepEqual(await (await fetch(`${first.url}/healthz`)).json(), { status: 'ok' });
      const agent = await fetch(`${first.url}/api/v1/downloads/linkmesh-agent.mjs`);
      assert.equal(agent.status, 200);
      assert.ok((await agent.text()).startsWith('#!/usr/bin/env node\n'));
      const installer = await fetch(`${first.url}/api/v1/downloads/install-opamp.sh`);
      assert.equal(installer.status, 200, 'the installer templates ship beside the bundle');
    } finally {
      await stop(first.child);
    }
    const second = await npmStart();
    try {
      assert.doesNotMatch(second.stderr(), /Building the server/, 'a fresh build is reused');
    } finally {
      await stop(second.child);
    }
  });
});
