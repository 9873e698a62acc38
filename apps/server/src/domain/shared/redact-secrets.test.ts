import assert from 'node:assert/strict';
import { it } from 'node:test';
import { redactSecrets } from './redact.ts';

it('redacts credential values and inline bearer or basic credentials in reported YAML', () => {
  const yaml = [
    'exporters:',
    '  otlphttp/backend:',
    '    endpoint: https://backend.example.com',
    '    headers:',
    '      Authorization: "Bearer lmct_abcdefghijklmnop"',
    '      X-API-Key: abc123',
    '    auth:',
    '      password: hunter2',
    "      client_secret: 's3cr3t'",
    '    token_file: /etc/token',
    '  note: "sent with Basic dXNlcjpwYXNz to the proxy"',
    '  password_file:',
    '',
  ].join('\n');
  const redacted = redactSecrets(yaml);
  assert.doesNotMatch(redacted, /lmct_|abc123|hunter2|s3cr3t|dXNlcjpwYXNz/);
  assert.match(redacted, /Authorization: "\[redacted\]"/);
  assert.match(redacted, /client_secret: '\[redacted\]'/);
  assert.match(redacted, /endpoint: https:\/\/backend\.example\.com/, 'non-secret values stay');
  assert.match(redacted, /password_file:\n/, 'keys without a value stay as they are');
  assert.equal(redacted.split('\n').length, yaml.split('\n').length, 'line structure is kept');
});
