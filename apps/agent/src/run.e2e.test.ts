import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { ManagedAgentView } from '@linkmesh/contracts/agent-api';
import { startTestServer, type TestServer } from '../../server/src/testing/server-harness.ts';
import { HostDir, RunningAgent, runAgentCommand, waitFor } from './testing/agent-harness.ts';

/**
 * `linkmesh-agent run` as a real process, supervising the stand-in collector
 * (testdata/standin-collector.sh), against a real server.
 */
describe('linkmesh-agent run against a real server', () => {
  let t: TestServer;
  const cleanups: Array<() => Promise<void> | void> = [];
  before(async () => {
    // No bearer caching: the test sees a rotation take effect on the next request.
    t = await startTestServer({ cacheTtls: { verifiedTtlMs: 0, liveTtlMs: 0 } });
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await t.close();
  });

  /** An enrolled host with short timings: back-off 100 ms doubling to 800 ms, reports every 0.3 s. */
  async function enrolledHost(hostname: string): Promise<HostDir & { collectorId: string }> {
    const minted = await t.api('/api/v1/enrollment-tokens', { method: 'POST', json: { ttlSeconds: 300 } });
    const { token } = (await minted.json()) as { token: string };
    const h = new HostDir();
    cleanups.push(() => h.remove());
    const enrolled = await runAgentCommand([...h.enrollArgs(t.url, token, hostname), '--host-id', hostname]);
    assert.equal(enrolled.code, 0, enrolled.stderr);
    h.editConfig((config) => {
      config.set('reportIntervalSeconds', 0.3);
      config.setIn(['supervisor', 'restartBackoffInitialMs'], 100);
      config.setIn(['supervisor', 'restartBackoffMaxMs'], 800);
      config.setIn(['supervisor', 'stopTimeoutMs'], 5_000);
    });
    return Object.assign(h, { collectorId: h.configValue(['collectorId']) as string });
  }

  function startAgent(h: HostDir): RunningAgent {
    const agent = RunningAgent.start(h.configPath);
    cleanups.push(() => agent.kill());
    return agent;
  }

  const agentView = async (collectorId: string) =>
    ((await (await t.api(`/api/v1/collectors/${collectorId}`)).json()) as { agent: ManagedAgentView | null })
      .agent;

  it('restarts a crashing collector with doubling back-off up to the cap and counts the restarts', async () => {
    const h = await enrolledHost('crashy-01');
    h.crashWith(3);
    const agent = startAgent(h);
    await waitFor('six crash restarts', () =>
      (h.state()?.collector.restartCount ?? 0) >= 6 ? true : undefined,
    );
    h.crashWith(undefined);
    const state = await waitFor('the collector to stay up', () => {
      const s = h.state();
      return s?.collector.running === true && h.starts().length === s.collector.recentStarts.length
        ? s
        : undefined;
    });

    const crashes = state.collector.recentStarts.filter((start) => start.exitCode === 3);
    assert.ok(crashes.length >= 6);
    assert.deepEqual(
      crashes.slice(0, 6).map((c) => c.restartDelayMs),
      [100, 200, 400, 800, 800, 800],
    );
    assert.equal(state.collector.restartCount, state.collector.recentStarts.length - 1);
    assert.equal(state.collector.plannedRestarts, 0);
    // Each restart waited at least its back-off (a lower bound: a loaded machine only adds to it;
    // comparing gaps between starts was a timing assertion that failed under load).
    const startsMs = state.collector.recentStarts.map((s) => Date.parse(s.startedAt));
    crashes.slice(0, 5).forEach((crash, i) => {
      assert.ok((startsMs[i + 1] ?? 0) - Date.parse(crash.exitedAt ?? '') >= (crash.restartDelayMs ?? 0) - 2);
    });

    // The server saw the count and recorded restart events.
    const view = await waitFor('the report of the running collector', async () => {
      const v = await agentView(h.collectorId);
      return v?.collector.running === true && v.collector.restartCount === state.collector.restartCount
        ? v
        : undefined;
    });
    assert.equal(view.collector.lastExitCode, 3);
    const events = (await (await t.api(`/api/v1/collectors/${h.collectorId}/events`)).json()) as {
      items: Array<{ type: string }>;
    };
    assert.ok(events.items.some((e) => e.type === 'restarted'));
    assert.equal(await agent.terminate(), 0);
  });

  it('reports host context that the collector detail shows, and SIGTERM stops the collector and exits 0', async () => {
    const h = await enrolledHost('steady-01');
    const agent = startAgent(h);
    const view = await waitFor('a report with the running collector', async () => {
      const v = await agentView(h.collectorId);
      return v?.collector.running === true && v.collector.version !== null ? v : undefined;
    });
    assert.equal(view.collector.version, 'alloy, version v1.99.0-standin (branch: test, revision: 0000000)');
    assert.equal(view.collector.restartCount, 0);
    assert.equal(view.host.os, process.platform);
    assert.ok(view.host.cpuCount > 0);
    assert.ok(view.host.memoryTotalBytes > 0);
    assert.equal(view.rotationPending, false);
    const collector = (await (await t.api(`/api/v1/collectors/${h.collectorId}`)).json()) as {
      status: string;
    };
    assert.notEqual(collector.status, 'pending');

    const pid = /pid=(\d+)/.exec(h.starts()[0] ?? '')?.[1];
    assert.equal(await agent.terminate(), 0);
    assert.deepEqual(h.terms(), [`pid=${String(pid)} signal=TERM`]);
    const state = h.state();
    assert.equal(state?.agentRunning, false);
    assert.equal(state.collector.running, false);
    assert.equal(state.collector.restartCount, 0);
    assert.match(
      agent.stdout,
      /standin: started pid=\d+ args=run /,
      "the collector's output goes to the agent's stdout",
    );
    assert.ok(
      !agent.stderr.includes(h.configValue(['collectorToken']) as string),
      'the bearer never appears in logs',
    );
  });

  it('applies a rotated bearer: both files rewritten (0600), the collector restarted with it, the next report clears the rotation', async () => {
    const h = await enrolledHost('rotating-01');
    const oldBearer = h.configValue(['collectorToken']) as string;
    const agent = startAgent(h);
    await waitFor('the first report', async () =>
      (await agentView(h.collectorId)) === null ? undefined : true,
    );

    const rotated = await t.api(`/api/v1/collectors/${h.collectorId}/rotate-token`, { method: 'POST' });
    assert.equal(rotated.status, 201);
    assert.equal(((await rotated.json()) as { delivery: string }).delivery, 'agent');

    const newBearer = await waitFor('the bearer in config.yaml to change', () => {
      const bearer = h.configValue(['collectorToken']) as string;
      return bearer === oldBearer ? undefined : bearer;
    });
    assert.match(newBearer, /^lmct_/);
    const alloy = readFileSync(h.alloyConfigPath, 'utf8');
    assert.ok(alloy.startsWith('// linkmesh-bootstrap'));
    assert.ok(alloy.includes(`bearer_token   = "${newBearer}"`));
    assert.ok(!alloy.includes(oldBearer));
    assert.equal(statSync(h.alloyConfigPath).mode & 0o777, 0o600);
    assert.equal(statSync(h.configPath).mode & 0o777, 0o600);
    assert.equal(
      h.configValue(['reportIntervalSeconds']),
      0.3,
      'operator edits to config.yaml survive the rewrite',
    );

    const starts = await waitFor('the collector restarted', () =>
      h.starts().length === 2 ? h.starts() : undefined,
    );
    assert.match(starts[0] ?? '', new RegExp(`bearer=${oldBearer} `));
    assert.match(starts[1] ?? '', new RegExp(`bearer=${newBearer} `));
    assert.equal(h.terms().length, 1, 'the old collector got SIGTERM');

    // The server clears the rotation only once a report arrives with the new bearer.
    await waitFor('the rotation to clear', async () =>
      (await agentView(h.collectorId))?.rotationPending === false ? true : undefined,
    );
    const state = await waitFor('the state after the rotation', () => {
      const s = h.state();
      return s?.collector.plannedRestarts === 1 && s.lastReport?.ok === true ? s : undefined;
    });
    assert.equal(state.collector.restartCount, 0, 'a planned restart is not a crash restart');
    assert.equal(state.bearerPrefix, `${newBearer.slice(0, 9)}…`);
    assert.equal(state.lastRotation?.ok, true);
    assert.match(agent.stderr, /agent\.rotation: applied/);
    assert.equal(await agent.terminate(), 0);
  });

  it('keeps the old bearer and logs agent.rotation: failed when the sealed bearer cannot be opened', async () => {
    const h = await enrolledHost('wrong-key-01');
    const oldBearer = h.configValue(['collectorToken']) as string;
    // Another key pair than the one the server sealed to (as if config.yaml had been restored from another host).
    const { generateAgentKeyPair } = await import('@linkmesh/contracts/sealed-token');
    const keys = generateAgentKeyPair();
    h.editConfig((config) => config.set('agentKeys', keys));
    const agent = startAgent(h);
    await waitFor('the first report', async () =>
      (await agentView(h.collectorId)) === null ? undefined : true,
    );
    assert.equal(
      (await t.api(`/api/v1/collectors/${h.collectorId}/rotate-token`, { method: 'POST' })).status,
      201,
    );

    await waitFor('the failed rotation', () => (h.state()?.lastRotation?.ok === false ? true : undefined));
    // Later reports are offered the same box; the agent does not try (or log) it again.
    const reportedAt = (await agentView(h.collectorId))?.reportedAt;
    await waitFor('two more reports', async () => {
      const view = await agentView(h.collectorId);
      return view !== null && view.reportedAt !== reportedAt && view.rotationPending
        ? view.reportedAt
        : undefined;
    }).then((seen) =>
      waitFor('one more report', async () =>
        (await agentView(h.collectorId))?.reportedAt !== seen ? true : undefined,
      ),
    );
    assert.equal(agent.stderr.match(/agent\.rotation: failed reason=/g)?.length, 1);
    assert.equal(h.configValue(['collectorToken']), oldBearer);
    assert.ok(readFileSync(h.alloyConfigPath, 'utf8').includes(oldBearer));
    assert.equal(h.starts().length, 1, 'the collector was not restarted');
    assert.equal(await agent.terminate(), 0);
  });

  it('keeps supervising while the server is unreachable and logs the failed reports', async () => {
    const h = await enrolledHost('offline-01');
    h.editConfig((config) =>
      config.setIn(['endpoints', 'agentReport'], 'http://127.0.0.1:9/api/v1/agent/report'),
    );
    const agent = startAgent(h);
    const state = await waitFor('a failed report with the collector running', () => {
      const s = h.state();
      return s?.lastReport?.ok === false && s.collector.running ? s : undefined;
    });
    assert.equal(state.lastReport?.status, null);
    await waitFor('the failure in the log', () =>
      /agent\.report: failed error=/.test(agent.stderr) ? true : undefined,
    );
    const status = await runAgentCommand(['status', '--config', h.configPath]);
    assert.equal(status.code, 0);
    assert.match(status.stdout, /collector process: +running \(pid \d+\)/);
    assert.match(status.stdout, /last report: +\S+ failed/);
    assert.equal(await agent.terminate(), 0);
  });
});
