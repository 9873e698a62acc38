import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { mintCredential } from '../../domain/shared/credentials.ts';
import { describeStorage } from '../../testing/storage-harness.ts';
import { migrateDown, migrateUp } from '../migrator.ts';
import { redactBatchRows, redactStoredReports } from './0006-redact-reported-secrets.ts';
import { migrations } from './index.ts';

const eventRows = redactBatchRows * 2 + 201;

describeStorage('migration 0006: redact reported secrets', (suite) => {
  suite.test('redacts bearers and passwords in rows stored before it, across several batches', async () => {
    const db = suite.storage().db as Kysely<unknown>;
    await migrateDown(db, suite.dialect, Infinity);
    await migrateUp(
      db,
      suite.dialect,
      migrations.filter((m) => m.name < '0006'),
    );
    const bearers = Array.from({ length: 4 }, () => mintCredential('collector'));
    const [b0 = '', b1 = '', b2 = '', b3 = ''] = bearers;
    const alloy = `remotecfg {\n  url = "https://lm"\n  bearer_token = "${b0}"\n}\notelcol.exporter.otlphttp "x" {\n  client {\n    headers = { "Authorization" = "Bearer ${b0}" }\n  }\n}\n`;

    await sql`insert into collectors (id, name, runtime, mode, status, hostname, version, labels, created_at)
      values ('c1', 'edge', 'alloy', 'alloy-remotecfg', 'connected', 'edge-1', ${`v1 ${b1}`},
              ${JSON.stringify({ env: 'prod', api_token: 'tok-123' })}, 1),
             ('c2', 'clean', 'alloy', 'alloy-remotecfg', 'connected', 'edge-2', 'v1.11.3', '{"env":"dev"}', 2)`.execute(
      db,
    );
    await sql`insert into collector_reports (collector_id, effective_config, reported_at)
      values ('c1', ${alloy}, 1), ('c2', 'logging {\n  level = "info"\n}\n', 1)`.execute(db);
    await sql`insert into opamp_agents (instance_uid, collector_id, capabilities, description, effective_config,
        health, remote_config_status, transport, first_seen_at, last_message_at)
      values ('u1', 'c1', 0, ${JSON.stringify({ identifying: { 'service.name': 'otelcol' }, nonIdentifying: {} })},
        ${`extensions:\n  bearertokenauth:\n    token: ${b2}\n`},
        ${JSON.stringify({ healthy: false, status: 'err', lastError: `401 for Bearer ${b2}`, startTimeUnixMs: 0, components: {} })},
        ${JSON.stringify({ lastRemoteConfigHash: 'ab', status: 'FAILED', errorMessage: 'bad: password = "hunter2"' })},
        'ws', 1, 1)`.execute(db);
    await sql`insert into managed_agents (collector_id, report, reported_at)
      values ('c1', ${JSON.stringify({ agentVersion: '0.1.0', collector: { binary: `/usr/bin/alloy --token=${b3}` } })}, 1)`.execute(
      db,
    );
    const events = Array.from(
      { length: eventRows },
      (_, i) => sql`('c1', 'config_failed', ${i}, ${`config ${i} failed: bearer_token = "${b0}"`}, null)`,
    );
    await sql`insert into events (collector_id, type, at, detail, dedupe_key) values ${sql.join(events)}`.execute(
      db,
    );
    await sql`insert into events (collector_id, type, at, detail, dedupe_key)
      values ('c1', 'identity_changed', 1, 'id changed', ${`remotecfg:identity:${b1}`}),
             ('c1', 'identity_changed', 2, 'id changed', ${`remotecfg:identity:${b2}`}),
             ('c2', 'config_applied', 3, 'config ab applied', 'remotecfg:applied:ab')`.execute(db);

    const report = await migrateUp(db, suite.dialect);
    assert.ok(report.applied.includes('0006-redact-reported-secrets'), report.applied.join(','));

    const dump = await everyRowAsText(db);
    for (const bearer of bearers)
      assert.ok(!dump.includes(bearer.slice(5)), `${bearer.slice(0, 9)}… is gone`);
    assert.ok(!dump.includes('hunter2') && !dump.includes('tok-123'));

    const config = await sql<{
      effective_config: string;
    }>`select effective_config from collector_reports where collector_id = 'c1'`.execute(db);
    assert.equal(
      config.rows[0]?.effective_config,
      alloy.replace(`"${b0}"`, '"[redacted]"').replace(`"Bearer ${b0}"`, '"[redacted]"'),
    );
    const redactedEvents = await sql<{
      n: number | string;
    }>`select count(*) as n from events where detail like ${'%bearer_token = "[redacted]"'}`.execute(db);
    assert.equal(Number(redactedEvents.rows[0]?.n), eventRows, 'every batch was redacted');
    const keys = await sql<{
      dedupe_key: string | null;
    }>`select dedupe_key from events where type <> 'config_failed' order by at`.execute(db);
    assert.deepEqual(
      keys.rows.map((r) => r.dedupe_key),
      [null, null, 'remotecfg:applied:ab'],
      'dedupe keys that held a secret are cleared (two redacted keys would collide); others stay',
    );
    const collector = await sql<{ labels: string }>`select labels from collectors where id = 'c1'`.execute(
      db,
    );
    assert.deepEqual(JSON.parse(collector.rows[0]?.labels ?? ''), { env: 'prod', api_token: '[redacted]' });
    const clean = await sql<{
      effective_config: string;
    }>`select effective_config from collector_reports where collector_id = 'c2'`.execute(db);
    assert.equal(
      clean.rows[0]?.effective_config,
      'logging {\n  level = "info"\n}\n',
      'rows without secrets stay',
    );
    const status = await sql<{
      remote_config_status: string;
    }>`select remote_config_status from opamp_agents`.execute(db);
    assert.equal(
      (JSON.parse(status.rows[0]?.remote_config_status ?? '{}') as { errorMessage: string }).errorMessage,
      'bad: password = "[redacted]"',
    );

    assert.equal(await redactStoredReports(db, 7), 0, 'running it again (small batches) rewrites nothing');
  });

  suite.test('rolls back as a no-op that keeps the redacted rows', async () => {
    const db = suite.storage().db as Kysely<unknown>;
    // Later migrations add and drop their own columns: compare with the schema as 0006 left it.
    await migrateDown(db, suite.dialect, migrations.length - 6);
    const before = await everyRowAsText(db);
    const reverted = await migrateDown(db, suite.dialect, 1);
    assert.deepEqual(reverted, ['0006-redact-reported-secrets']);
    assert.equal(await everyRowAsText(db), before);
    await migrateUp(db, suite.dialect);
  });
});

/** Every stored value of the tables this migration touches, as one string. */
async function everyRowAsText(db: Kysely<unknown>): Promise<string> {
  const parts: string[] = [];
  for (const table of ['collectors', 'collector_reports', 'opamp_agents', 'events', 'managed_agents']) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by 1`.execute(db);
    parts.push(JSON.stringify(rows.rows));
  }
  return parts.join('\n');
}
