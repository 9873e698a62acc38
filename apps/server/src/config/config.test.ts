import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';
import { configKeys, envNameOf } from './config.schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'linkmesh-config-'));
const load = (env: Record<string, string>, file?: string) => loadConfig({ env, configFile: file });

describe('configuration', () => {
  it('has working defaults with no file and no environment', () => {
    const config = load({});
    assert.equal(config.listen, '0.0.0.0:8080');
    assert.equal(config.listenPort, 8080);
    assert.equal(config.enrollmentTokenTtlSeconds, 900);
    assert.equal(config.throughputRetentionHours, 24);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.storage.kind, 'sqlite');
    assert.match(config.externalUrl, /^http:\/\/[^/]+:8080$/);
  });

  it('derives the external URL from a specific listen address', () => {
    assert.equal(load({ LINKMESH_LISTEN: '127.0.0.1:9090' }).externalUrl, 'http://127.0.0.1:9090');
    assert.equal(load({ LINKMESH_LISTEN: '[::1]:9090' }).externalUrl, 'http://[::1]:9090');
    assert.equal(
      load({ LINKMESH_EXTERNAL_URL: 'https://fleet.example.com/' }).externalUrl,
      'https://fleet.example.com',
    );
  });

  it('selects PostgreSQL for a postgres:// URL and SQLite in the data directory otherwise', () => {
    const pg = load({ LINKMESH_DATABASE_URL: 'postgres://u@db:5432/linkmesh' });
    assert.deepEqual(pg.storage, { kind: 'postgres', url: 'postgres://u@db:5432/linkmesh', poolSize: 10 });
    const sqlite = load({ LINKMESH_DATA_DIR: dir });
    assert.deepEqual(sqlite.storage, { kind: 'sqlite', file: join(dir, 'linkmesh.db') });
  });

  it('reads a YAML file and lets the environment override each key', () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'listen: 127.0.0.1:7000\nenrollmentTokenTtlSeconds: 600\nlogLevel: debug\n');
    const fromFile = load({}, file);
    assert.equal(fromFile.listen, '127.0.0.1:7000');
    assert.equal(fromFile.enrollmentTokenTtlSeconds, 600);
    const overridden = load(
      { LINKMESH_ENROLLMENT_TOKEN_TTL_SECONDS: '1200', LINKMESH_LOG_LEVEL: 'warn' },
      file,
    );
    assert.equal(overridden.enrollmentTokenTtlSeconds, 1200);
    assert.equal(overridden.logLevel, 'warn');
    assert.equal(overridden.listen, '127.0.0.1:7000');
    assert.equal(load({ LINKMESH_CONFIG: file }).listen, '127.0.0.1:7000', 'LINKMESH_CONFIG names the file');
  });

  it('maps every key to a LINKMESH_ environment variable', () => {
    assert.equal(envNameOf('enrollmentTokenTtlSeconds'), 'LINKMESH_ENROLLMENT_TOKEN_TTL_SECONDS');
    assert.equal(envNameOf('externalUrl'), 'LINKMESH_EXTERNAL_URL');
    assert.ok(configKeys.includes('adminToken'));
  });

  const badValues: Array<[string, Record<string, string>, RegExp]> = [
    ['a listen address without a port', { LINKMESH_LISTEN: 'localhost' }, /listen \(LINKMESH_LISTEN\)/],
    ['a port above 65535', { LINKMESH_LISTEN: '0.0.0.0:70000' }, /listen \(LINKMESH_LISTEN\)/],
    [
      'a TTL that is not a number',
      { LINKMESH_ENROLLMENT_TOKEN_TTL_SECONDS: 'soon' },
      /enrollmentTokenTtlSeconds \(LINKMESH_ENROLLMENT_TOKEN_TTL_SECONDS\)/,
    ],
    ['an unknown log level', { LINKMESH_LOG_LEVEL: 'loud' }, /logLevel \(LINKMESH_LOG_LEVEL\)/],
    [
      'a database URL of another kind',
      { LINKMESH_DATABASE_URL: 'mysql://x' },
      /databaseUrl \(LINKMESH_DATABASE_URL\)/,
    ],
    [
      'an external URL that is not http(s)',
      { LINKMESH_EXTERNAL_URL: 'ftp://x' },
      /externalUrl \(LINKMESH_EXTERNAL_URL\)/,
    ],
    [
      'a short admin password',
      { LINKMESH_ADMIN_PASSWORD: 'short' },
      /adminPassword \(LINKMESH_ADMIN_PASSWORD\)/,
    ],
    [
      'an admin token without the lmsat_ prefix',
      { LINKMESH_ADMIN_TOKEN: 'secret' },
      /adminToken \(LINKMESH_ADMIN_TOKEN\)/,
    ],
    [
      'a server secret of the wrong size',
      { LINKMESH_SERVER_SECRET: 'abcd' },
      /serverSecret \(LINKMESH_SERVER_SECRET\)/,
    ],
    ['a misspelt variable', { LINKMESH_LISTN: '0.0.0.0:1' }, /LINKMESH_LISTN/],
  ];
  for (const [what, env, message] of badValues) {
    it(`refuses ${what}, naming the key`, () => {
      assert.throws(
        () => load(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    });
  }

  it('ignores the variables of LinkMesh clients (LINKMESH_TOKEN, LINKMESH_AGENT_*) a shell may have exported', () => {
    const config = load({
      LINKMESH_TOKEN: 'lmsat_x',
      LINKMESH_AGENT_CONFIG: '/etc/linkmesh-agent/config.yaml',
    });
    assert.equal(config.listen, '0.0.0.0:8080');
  });

  it('refuses an unknown key and a malformed file, naming them', () => {
    const unknown = join(dir, 'unknown.yaml');
    writeFileSync(unknown, 'lisen: 1.2.3.4:5\n');
    assert.throws(() => load({}, unknown), /unknown configuration key lisen/);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'listen: [unclosed\n');
    assert.throws(() => load({}, broken), /not valid YAML/);
    assert.throws(() => load({}, join(dir, 'missing.yaml')), /cannot read config file/);
  });
});
