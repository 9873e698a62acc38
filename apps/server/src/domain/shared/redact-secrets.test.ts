import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderBootstrapConfig } from '@linkmesh/alloy/render';
import { mintCredential } from './credentials.ts';
import { isSecretKey, redactSecrets, redactSecretsDeep } from './redact-secrets.ts';

const bearer = mintCredential('collector');
const enrollment = mintCredential('enrollment');
const session = mintCredential('session');
const serviceAccount = mintCredential('serviceAccount');

/** Before → after, one case per syntax a collector reports in. */
const cases: ReadonlyArray<{ name: string; before: string; after: string }> = [
  {
    name: 'otelcol YAML: header, password, quoted secret, block scalar key; paths and endpoints stay',
    before: [
      'exporters:',
      '  otlphttp/backend:',
      '    endpoint: https://backend.example.com',
      '    headers:',
      '      Authorization: "Bearer abc.def"',
      '      X-API-Key: abc123',
      '    auth:',
      '      password: hunter2',
      "      client_secret: 's3cr3t'",
      '    token_file: /etc/token',
      '  kafka:',
      '    auth:',
      '      sasl:',
      '        username: svc',
      '        password: ${env:KAFKA_PASSWORD}',
      '    tls:',
      '      key_pem: |',
      '        -----BEGIN EC PRIVATE KEY-----',
      '        MHcCAQEEIB',
      '      insecure: false',
      '  password_file:',
      '  credentials: {user: u, pass: p}',
      '  tokens: [t-1, t-2]',
      '',
    ].join('\n'),
    after: [
      'exporters:',
      '  otlphttp/backend:',
      '    endpoint: https://backend.example.com',
      '    headers:',
      '      Authorization: "[redacted]"',
      '      X-API-Key: [redacted]',
      '    auth:',
      '      password: [redacted]',
      "      client_secret: '[redacted]'",
      '    token_file: /etc/token',
      '  kafka:',
      '    auth:',
      '      sasl:',
      '        username: svc',
      '        password: ${env:KAFKA_PASSWORD}',
      '    tls:',
      '      key_pem: |',
      '        [redacted]',
      '        [redacted]',
      '      insecure: false',
      '  password_file:',
      '  credentials: [redacted]',
      '  tokens: [redacted]',
      '',
    ].join('\n'),
  },
  {
    name: 'otelcol YAML: the bearertokenauth extension LinkMesh offers, and a flow mapping',
    before: [
      'extensions:',
      '  bearertokenauth/linkmesh:',
      `    token: ${bearer}`,
      'exporters:',
      `  otlphttp/a: {endpoint: "https://x", auth: {password: hunter2, user: bob}}`,
      '  otlphttp/linkmesh:',
      '    auth:',
      '      authenticator: bearertokenauth/linkmesh',
    ].join('\n'),
    after: [
      'extensions:',
      '  bearertokenauth/linkmesh:',
      '    token: [redacted]',
      'exporters:',
      `  otlphttp/a: {endpoint: "https://x", auth: {password: [redacted], user: bob}}`,
      '  otlphttp/linkmesh:',
      '    auth:',
      '      authenticator: bearertokenauth/linkmesh',
    ].join('\n'),
  },
  {
    name: 'Alloy: bearer_token, basic_auth block, headers object on one line and over several',
    before: [
      'remotecfg {',
      '  url            = "https://linkmesh.example.com"',
      `  bearer_token   = "${bearer}"`,
      '}',
      'prometheus.remote_write "mimir" {',
      '  endpoint {',
      '    url = "https://mimir.example.com/api/v1/push"',
      '    basic_auth {',
      '      username = "tenant"',
      '      password = "hunter2"',
      '    }',
      '    headers = { "X-Scope-OrgID" = "tenant-1", "Authorization" = "Bearer xyz.123" }',
      '  }',
      '}',
      'otelcol.exporter.otlphttp "vendor" {',
      '  client {',
      '    headers = {',
      '      "X-Api-Key" = `raw-key-1`,',
      '    }',
      '  }',
      '}',
      'otelcol.auth.bearer "env" {',
      '  token = sys.env("VENDOR_TOKEN")',
      '}',
    ].join('\n'),
    after: [
      'remotecfg {',
      '  url            = "https://linkmesh.example.com"',
      '  bearer_token   = "[redacted]"',
      '}',
      'prometheus.remote_write "mimir" {',
      '  endpoint {',
      '    url = "https://mimir.example.com/api/v1/push"',
      '    basic_auth {',
      '      username = "tenant"',
      '      password = "[redacted]"',
      '    }',
      '    headers = { "X-Scope-OrgID" = "tenant-1", "Authorization" = "[redacted]" }',
      '  }',
      '}',
      'otelcol.exporter.otlphttp "vendor" {',
      '  client {',
      '    headers = {',
      '      "X-Api-Key" = `[redacted]`,',
      '    }',
      '  }',
      '}',
      'otelcol.auth.bearer "env" {',
      '  token = sys.env("VENDOR_TOKEN")',
      '}',
    ].join('\n'),
  },
  {
    name: 'Alloy: a prometheus authorization block and a string that does not parse',
    before: [
      'prometheus.remote_write "x" {',
      '  endpoint {',
      '    authorization {',
      '      type        = "Bearer"',
      '      credentials = "glc_eyJvIjoiMTIzIn0="',
      '    }',
      `    url = "https://user:pw0rd@prom.example.com/push"`,
      '  }',
      `  note = "unterminated ${bearer}`,
    ].join('\n'),
    after: [
      'prometheus.remote_write "x" {',
      '  endpoint {',
      '    authorization {',
      '      type        = "Bearer"',
      '      credentials = "[redacted]"',
      '    }',
      `    url = "https://user:[redacted]@prom.example.com/push"`,
      '  }',
      `  note = "unterminated [redacted]`,
    ].join('\n'),
  },
  {
    name: 'JSON: secret members, also escaped inside another JSON string',
    before: `{"endpoint":"https://x","headers":{"Authorization":"Basic dXNlcjpwYXNz","api_key": "k-1"},"msg":"bad: \\"password\\": \\"hunter2\\", token = \\"t-9\\""}`,
    after: `{"endpoint":"https://x","headers":{"Authorization":"[redacted]","api_key": "[redacted]"},"msg":"bad: \\"password\\": \\"[redacted]\\", token = \\"[redacted]\\""}`,
  },
  {
    name: 'free text: Bearer and Basic credentials, LinkMesh credentials of every kind, key=value pairs',
    before: `GET /push?api_key=abc123&x=1 sent "authorization: bearer Zm9vYmFy1" and Basic dXNlcjpwYXNz; kept ${enrollment}, ${session}, ${serviceAccount} and host=db password=hunter2 sslmode=require`,
    after: `GET /push?api_key=[redacted]&x=1 sent "authorization: bearer [redacted]" and Basic [redacted]; kept [redacted], [redacted], [redacted] and host=db password=[redacted] sslmode=require`,
  },
  {
    name: 'free text: prose mentioning tokens, auth-params and names that contain a secret word stay',
    before:
      'failed to load bearer token file /var/run/token: open: no such file; WWW-Authenticate: Basic realm="x"; use bearertokenauth',
    after:
      'failed to load bearer token file /var/run/token: open: no such file; WWW-Authenticate: Basic realm="x"; use bearertokenauth',
  },
  {
    name: 'a credential-shaped value glued to other text (a cut-off error message) is redacted',
    before: `config 1a2b failed: unauthorized (bearer=${bearer.slice(0, 30)}`,
    after: 'config 1a2b failed: unauthorized (bearer=[redacted]',
  },
];

describe('redactSecrets', () => {
  for (const { name, before, after } of cases) {
    it(`redacts ${name}`, () => {
      assert.equal(redactSecrets(before), after);
    });
  }

  it('is idempotent: redacting redacted text changes nothing', () => {
    for (const { after } of cases) assert.equal(redactSecrets(after), after);
  });

  it('keeps the line structure (line count and CRLF endings)', () => {
    const text = 'a: 1\r\npassword: x\r\nb: 2\r\n';
    assert.equal(redactSecrets(text), 'a: 1\r\npassword: [redacted]\r\nb: 2\r\n');
  });

  it('leaves no bearer in the bootstrap config.alloy LinkMesh writes (remotecfg block and auth component)', () => {
    const config = renderBootstrapConfig({
      collectorId: 'c-1',
      hostname: 'edge-1',
      externalUrl: 'https://linkmesh.example.com',
      bearerToken: bearer,
    });
    const redacted = redactSecrets(config);
    assert.ok(!redacted.includes(bearer.slice(5)), redacted);
    assert.match(redacted, /bearer_token {3}= "\[redacted\]"/);
    assert.match(redacted, /token = "\[redacted\]"/);
    assert.match(redacted, /auth {5}= otelcol\.auth\.bearer\.linkmesh_bootstrap\.handler/);
    assert.equal(redacted.split('\n').length, config.split('\n').length);
  });

  it('redacts a private key PEM anywhere, keeping its armour lines', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEv\nQIBAD\n-----END PRIVATE KEY-----';
    assert.equal(
      redactSecrets(`key = \`${pem}\``.replace('key', 'tls_material')),
      'tls_material = `-----BEGIN PRIVATE KEY-----\n[redacted]\n[redacted]\n-----END PRIVATE KEY-----`',
    );
  });
});

describe('isSecretKey', () => {
  it('names credentials and not the files, URLs and ids that point at them', () => {
    for (const key of [
      'authorization',
      'Password',
      'passwd',
      'bearer_token',
      'X-Api-Key',
      'apikey',
      'client_secret',
      'private_key',
      'secret_access_key',
      'credentials',
      '"Authorization"',
      'sasl password',
    ]) {
      assert.equal(isSecretKey(key), true, key);
    }
    for (const key of [
      'bearer_token_file',
      'token_url',
      'access_key_id',
      'authenticator',
      'endpoint',
      'username',
      'secretName',
    ]) {
      assert.equal(isSecretKey(key), false, key);
    }
  });
});

describe('redactSecretsDeep', () => {
  it('redacts every string of a reported structure and strings under secret keys, keeping keys and numbers', () => {
    const health = {
      healthy: false,
      lastError: `exporter rejected ${bearer}`,
      startTimeUnixMs: 12,
      components: { 'extension:bearertokenauth': { lastError: 'Bearer q1w2e3r4t5', 'auth.token': 'abc' } },
      list: [`x ${bearer}`],
    };
    assert.deepEqual(redactSecretsDeep(health), {
      healthy: false,
      lastError: 'exporter rejected [redacted]',
      startTimeUnixMs: 12,
      components: {
        'extension:bearertokenauth': { lastError: 'Bearer [redacted]', 'auth.token': '[redacted]' },
      },
      list: ['x [redacted]'],
    });
  });
});
