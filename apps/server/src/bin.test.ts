import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'linkmesh-bin-'));
const children: ChildProcess[] = [];

interface Started {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  stdout: () => string;
}

/** Runs the real entry point as `npm start` does, and waits for its `server.listening` log line. */
async function startProcess(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', bin], {
    env: { PATH: process.env.PATH ?? '', LINKMESH_DATA_DIR: dataDir, LINKMESH_LISTEN: '127.0.0.1:0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    // Ready once the JSON log says where it listens and the banner (stderr) is complete.
    const check = () => {
      const match = /"url":"(http:\/\/[^"]+)".*"msg":"server.listening"/.exec(stdout);
      if (match?.[1] && stderr.includes('External URL')) resolve(match[1]);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      check();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      check();
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr, stdout: () => stdout };
}

async function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', bin], {
    env: { PATH: process.env.PATH ?? '', LINKMESH_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

describe('the server process', () => {
  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits non-zero naming the key when a configuration value is bad', async () => {
    const result = await runToExit({ LINKMESH_ENROLLMENT_TOKEN_TTL_SECONDS: 'ten' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /enrollmentTokenTtlSeconds \(LINKMESH_ENROLLMENT_TOKEN_TTL_SECONDS\)/);
  });

  it('prints the URL and the admin password once, keeps data across a restart, and drains on SIGTERM', async () => {
    const first = await startProcess({});
    assert.match(first.stderr(), /LinkMesh is running: http:\/\/127\.0\.0\.1:\d+/);
    const password = /password: (\S+)/.exec(first.stderr())?.[1];
    assert.ok(password, 'the generated admin password is printed');
    assert.ok(!first.stdout().includes(password), 'and never written to the JSON logs');

    const login = await fetch(`${first.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const created = await fetch(`${first.url}/api/v1/collectors`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'survivor', runtime: 'alloy' }),
    });
    assert.equal(created.status, 201);

    first.child.kill('SIGTERM');
    const [code] = (await once(first.child, 'exit')) as [number | null];
    assert.equal(code, 0, 'a clean exit after draining');
    assert.match(first.stdout(), /"msg":"server.shutdown: complete"/);

    const second = await startProcess({});
    try {
      assert.doesNotMatch(second.stderr(), /password:/, 'the password is shown on the first start only');
      const relogin = await fetch(`${second.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      assert.equal(relogin.status, 200);
      const session = (relogin.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const list = (await (
        await fetch(`${second.url}/api/v1/collectors`, { headers: { cookie: session } })
      ).json()) as {
        items: Array<{ name: string }>;
      };
      assert.deepEqual(
        list.items.map((c) => c.name),
        ['survivor'],
      );
    } finally {
      second.child.kill('SIGTERM');
      await once(second.child, 'exit');
    }
  });
});
