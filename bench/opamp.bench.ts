/**
 * `npm run bench:opamp` — OpAMP WebSocket agents against one server process.
 *
 * Starts the real server (separate process, SQLite) and, as the baseline in the same run, a bare
 * `ws` server (separate process) that answers every message with a fixed reply. N lean agents
 * (raw `ws` clients speaking OpAMP frames, spread over several loopback source addresses) each
 * enrol with their own enrollment token and stay connected. Prints the enrolment rate, server
 * RSS per connection next to the bare server's (ratio), and the machine.
 *
 * Fan-out: the fleet default config is changed once (PUT /api/v1/settings/otel-default-config)
 * and the time until every agent has reported APPLIED for the new hash is printed.
 *
 * Options (env): BENCH_AGENTS (2000), BENCH_CONCURRENCY (200). Each process needs a descriptor per
 * connection: the npm script raises the soft limit to the hard one (20,000 on the machines here,
 * which caps one run at about 19,000 agents).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  AgentToServerSchema,
  RemoteConfigStatuses,
  ServerToAgentSchema,
} from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import WebSocket from 'ws';
import { newInstanceUid } from '../apps/server/src/protocols/opamp/opamp.codec.ts';

const agentCount = Number(process.env.BENCH_AGENTS ?? 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 200);
const adminToken = 'lmsat_' + 'c'.repeat(43);
const sourceAddresses = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`);

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Starts a child process and resolves with the URL it prints (matched by `pattern`). */
function startChild(
  args: string[],
  env: NodeJS.ProcessEnv,
  pattern: RegExp,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match?.[1]) resolve({ child, url: match[1] });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
}

function firstMessage(): Uint8Array {
  const message = create(AgentToServerSchema, {
    instanceUid: newInstanceUid(),
    sequenceNum: 1n,
    capabilities: 0x3947n,
    agentDescription: {
      identifyingAttributes: [
        { key: 'service.name', value: { value: { case: 'stringValue', value: 'otelcol-contrib' } } },
        { key: 'service.version', value: { value: { case: 'stringValue', value: '0.135.0' } } },
      ],
      nonIdentifyingAttributes: [
        { key: 'os.type', value: { value: { case: 'stringValue', value: 'linux' } } },
      ],
    },
  });
  const body = toBinary(AgentToServerSchema, message);
  const frame = new Uint8Array(body.length + 1);
  frame.set(body, 1);
  return frame;
}

/** Per config hash (hex): when each agent reported it APPLIED (ms, performance clock). */
const appliedAt = new Map<string, number[]>();
let sequence = 10n;

/** Replies APPLIED to every remote config, as a supervisor with a healthy collector would. */
function applyRemoteConfig(ws: WebSocket, data: Buffer): void {
  const message = fromBinary(ServerToAgentSchema, new Uint8Array(data).subarray(1));
  const config = message.remoteConfig;
  if (!config) return;
  const status = create(AgentToServerSchema, {
    instanceUid: message.instanceUid,
    sequenceNum: (sequence += 1n),
    capabilities: 0x3947n,
    remoteConfigStatus: {
      lastRemoteConfigHash: config.configHash,
      status: RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
    },
  });
  const body = toBinary(AgentToServerSchema, status);
  const frame = new Uint8Array(body.length + 1);
  frame.set(body, 1);
  ws.send(frame);
  const hash = Buffer.from(config.configHash).toString('hex');
  const list = appliedAt.get(hash) ?? [];
  list.push(performance.now());
  appliedAt.set(hash, list);
}

/** Opens one agent connection, sends its first message, resolves on the first reply. */
function connectAgent(
  url: string,
  authorization: string,
  index: number,
  sockets: WebSocket[],
): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, {
      headers: { Authorization: authorization },
      localAddress: sourceAddresses[index % sourceAddresses.length],
      perMessageDeflate: false,
    });
    ws.once('open', () => ws.send(firstMessage()));
    ws.once('message', (data: Buffer) => {
      sockets.push(ws);
      const reply = fromBinary(ServerToAgentSchema, new Uint8Array(data).subarray(1));
      resolve(reply.errorResponse === undefined);
    });
    ws.on('message', (data: Buffer) => applyRemoteConfig(ws, data));
    ws.once('error', () => resolve(false));
    ws.once('unexpected-response', () => resolve(false));
  });
}

async function runPool<T>(count: number, parallel: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await work(i);
      }
    }),
  );
  return results;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linkmesh-bench-opamp-'));
  const bin = fileURLToPath(new URL('../apps/server/src/bin.ts', import.meta.url));
  const bare = fileURLToPath(new URL('./bare-ws.server.ts', import.meta.url));
  const env = { PATH: process.env.PATH ?? '' };
  const server = await startChild(
    ['--import', 'tsx', bin],
    {
      ...env,
      LINKMESH_DATA_DIR: dataDir,
      LINKMESH_LISTEN: '127.0.0.1:0',
      LINKMESH_ADMIN_TOKEN: adminToken,
      LINKMESH_LOG_LEVEL: 'warn',
    },
    /LinkMesh is running: (http:\/\/\S+)/,
  );
  const baseline = await startChild(['--import', 'tsx', bare], env, /listening (ws:\/\/\S+)/);
  const serverSockets: WebSocket[] = [];
  const bareSockets: WebSocket[] = [];
  try {
    process.stderr.write(`minting ${agentCount} enrollment tokens …\n`);
    const tokens = await runPool(agentCount, 16, async () => {
      const response = await fetch(`${server.url}/api/v1/enrollment-tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: '{}',
      });
      return ((await response.json()) as { token: string }).token;
    });

    const serverBeforeMb = rssMb(server.child.pid!);
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/v1/opamp`;
    const started = performance.now();
    const enrolled = await runPool(agentCount, concurrency, (i) =>
      connectAgent(wsUrl, `Bearer ${tokens[i]}`, i, serverSockets),
    );
    const enrolSeconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const serverAfterMb = rssMb(server.child.pid!);
    const serverOpen = serverSockets.length;

    // Fan-out: one change of the fleet default config, until every agent has reported APPLIED.
    const yaml = `receivers:\n  otlp:\n    protocols:\n      grpc: {}\nexporters:\n  debug: {}\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n# ${Date.now()}\n`;
    const changeStarted = performance.now();
    const put = await fetch(`${server.url}/api/v1/settings/otel-default-config`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ yaml }),
    });
    if (put.status !== 204) throw new Error(`config change failed: ${put.status}`);
    const newHash = createHash('sha256').update(yaml).digest('hex');
    for (
      let waited = 0;
      (appliedAt.get(newHash)?.length ?? 0) < serverOpen && waited < 120_000;
      waited += 50
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const applied = appliedAt.get(newHash) ?? [];
    const fanOutSeconds = ((applied.at(-1) ?? Number.NaN) - changeStarted) / 1000;
    // One process may hold only so many descriptors: let go of these before the baseline phase.
    for (const ws of serverSockets.splice(0)) ws.terminate();

    const bareBeforeMb = rssMb(baseline.child.pid!);
    await runPool(agentCount, concurrency, (i) => connectAgent(baseline.url, 'Bearer x', i, bareSockets));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const bareAfterMb = rssMb(baseline.child.pid!);

    const ok = enrolled.filter(Boolean).length;
    const serverPerConnKb = ((serverAfterMb - serverBeforeMb) * 1024) / Math.max(1, serverOpen);
    const barePerConnKb = ((bareAfterMb - bareBeforeMb) * 1024) / Math.max(1, bareSockets.length);
    process.stdout.write(
      [
        `machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length} cores, node ${process.version}, SQLite storage`,
        `agents: ${agentCount} WebSocket agents from ${sourceAddresses.length} loopback addresses, ${concurrency} enrolling at a time`,
        `enrolment: ${ok} of ${agentCount} enrolled (collector created, bearer minted, offers sent) in ${enrolSeconds.toFixed(1)} s = ${(ok / enrolSeconds).toFixed(0)} enrolments/s`,
        `server: RSS ${serverBeforeMb.toFixed(0)} → ${serverAfterMb.toFixed(0)} MiB, ${serverPerConnKb.toFixed(1)} KiB per connection (${serverOpen} open)`,
        `baseline (same run): bare ws server RSS ${bareBeforeMb.toFixed(0)} → ${bareAfterMb.toFixed(0)} MiB, ${barePerConnKb.toFixed(1)} KiB per connection (${bareSockets.length} open)`,
        `fan-out: one config change reached ${applied.length} of ${serverOpen} agents, all APPLIED after ${fanOutSeconds.toFixed(2)} s (goal: 10,000 agents in < 2 s)`,
        `ratio: server ÷ bare ws memory per connection = ${(serverPerConnKb / barePerConnKb).toFixed(2)} (goal ≤ 2)`,
      ].join('\n') + '\n',
    );
  } finally {
    for (const ws of [...serverSockets, ...bareSockets]) ws.terminate();
    server.child.kill('SIGTERM');
    baseline.child.kill('SIGTERM');
    await Promise.all(
      [server, baseline].map(({ child }) => new Promise((resolve) => child.once('exit', resolve))),
    );
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
