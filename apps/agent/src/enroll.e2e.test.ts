import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parseAlloy } from '@linkmesh/alloy/syntax';
import { startTestServer, type TestServer } from '../../server/src/testing/server-harness.ts';
import { HostDir, runAgentCommand, standinCollector } from './testing/agent-harness.ts';

const golden = readFileSync(new URL('./testdata/bootstrap.golden.alloy', import.meta.url), 'utf8');

/** Mode bits of a file (0o600 expected for everything holding a secret). */
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('linkmesh-agent enroll against a real server', () => {
  let t: TestServer;
  const hosts: HostDir[] = [];
  const host = () => {
    const h = new HostDir();
    hosts.push(h);
    return h;
  };
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
    for (const h of hosts) h.remove();
  });

  const mintEnrollmentToken = async () => {
    const response = await t.api('/api/v1/enrollment-tokens', { method: 'POST', json: { ttlSeconds: 300 } });
    assert.equal(response.status, 201);
    return ((await response.json()) as { token: string }).token;
  };

  it('redeems the token, writes config.yaml and the golden bootstrap config.alloy (0600), and the collector is managed', async () => {
    const h = host();
    const token = await mintEnrollmentToken();
    const result = await runAgentCommand([
      ...h.enrollArgs(t.url, token, 'golden-host'),
      '--host-id',
      'host-a',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(modeOf(h.configPath), 0o600);
    assert.equal(modeOf(h.alloyConfigPath), 0o600);

    const collectorId = h.configValue(['collectorId']) as string;
    const bearer = h.configValue(['collectorToken']) as string;
    assert.match(bearer, /^lmct_/);
    assert.ok(!result.stdout.includes(bearer), 'the bearer is printed only as a prefix');
    assert.ok(result.stdout.includes(`${bearer.slice(0, 9)}…`));
    assert.deepEqual(h.configValue(['collector', 'args']), [
      'run',
      h.alloyConfigPath,
      '--storage.path=/var/lib/alloy/data',
      '--server.http.listen-addr=127.0.0.1:12345',
    ]);
    assert.equal(h.configValue(['collector', 'binary']), standinCollector);
    assert.equal(h.configValue(['stateFile']), h.stateFile);

    const alloy = readFileSync(h.alloyConfigPath, 'utf8');
    assert.ok(alloy.startsWith('// linkmesh-bootstrap'));
    parseAlloy(alloy);
    const normalised = alloy
      .replaceAll(collectorId, '{{COLLECTOR_ID}}')
      .replaceAll(bearer, '{{BEARER}}')
      .replaceAll(t.server.externalUrl, '{{SERVER_URL}}');
    assert.equal(normalised, golden);

    const collector = (await (await t.api(`/api/v1/collectors/${collectorId}`)).json()) as {
      mode: string;
      hostname: string;
    };
    assert.equal(collector.mode, 'managed');
    assert.equal(collector.hostname, 'golden-host');
  });

  it('exits non-zero with the server message when another host redeems the same token (410), showing only its prefix', async () => {
    const token = await mintEnrollmentToken();
    const first = await runAgentCommand([
      ...host().enrollArgs(t.url, token, 'web-01'),
      '--host-id',
      'host-1',
    ]);
    assert.equal(first.code, 0, first.stderr);
    const second = await runAgentCommand([
      ...host().enrollArgs(t.url, token, 'web-02'),
      '--host-id',
      'host-2',
    ]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /HTTP 410 gone/);
    assert.match(second.stderr, /already used by another host/);
    assert.ok(!second.stderr.includes(token), 'the token is never printed whole');
    assert.ok(second.stderr.includes(`${token.slice(0, 9)}…`));
  });

  it('refuses to replace an existing enrolment without --force (exit 3) and writes nothing', async () => {
    const h = host();
    const first = await runAgentCommand(h.enrollArgs(t.url, await mintEnrollmentToken(), 'web-03'));
    assert.equal(first.code, 0, first.stderr);
    const before = readFileSync(h.configPath, 'utf8');
    const again = await runAgentCommand(h.enrollArgs(t.url, await mintEnrollmentToken(), 'web-03'));
    assert.equal(again.code, 3);
    assert.match(again.stderr, /already enrolled/);
    assert.equal(readFileSync(h.configPath, 'utf8'), before);

    const forced = await runAgentCommand([
      ...h.enrollArgs(t.url, await mintEnrollmentToken(), 'web-03'),
      '--force',
    ]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(readFileSync(h.configPath, 'utf8'), before);
  });

  it('reports an unreachable server and an unknown token without writing files', async () => {
    const h = host();
    const unknown = await runAgentCommand(h.enrollArgs(t.url, 'lmet_doesnotexist', 'web-04'));
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /HTTP 401/);
    const unreachable = await runAgentCommand(h.enrollArgs('http://127.0.0.1:9', 'lmet_x', 'web-04'));
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach http:\/\/127\.0\.0\.1:9/);
    assert.throws(() => statSync(h.configPath));
    assert.throws(() => statSync(h.alloyConfigPath));
  });

  it('status prints the enrolment without a running agent (exit 0) and exits 2 without a config', async () => {
    const h = host();
    assert.equal((await runAgentCommand(h.enrollArgs(t.url, await mintEnrollmentToken(), 'web-05'))).code, 0);
    const text = await runAgentCommand(['status', '--config', h.configPath]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /agent: +not running/);
    const json = await runAgentCommand(['status', '--json'], { LINKMESH_AGENT_CONFIG: h.configPath });
    assert.equal(json.code, 0, json.stderr);
    const status = JSON.parse(json.stdout) as {
      collectorId: string;
      bearerPrefix: string;
      agent: { running: boolean };
    };
    assert.equal(status.collectorId, h.configValue(['collectorId']));
    assert.equal(status.bearerPrefix, `${(h.configValue(['collectorToken']) as string).slice(0, 9)}…`);
    assert.equal(status.agent.running, false);
    const missing = await runAgentCommand(['status', '--config', `${h.dir}/nope.yaml`]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no agent config/);
  });
});
