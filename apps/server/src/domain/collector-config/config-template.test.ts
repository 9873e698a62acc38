import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestHeaders } from '@linkmesh/pipelines/catalogue/fields';
import { base64OrDeferred, secretPlaceholder } from '@linkmesh/pipelines/secret-placeholders';
import { masked, materialize, MissingSecretError } from './config-template.ts';

describe('config templates', () => {
  it('fills a Basic auth header whose password is a placeholder only at delivery', () => {
    const headers = requestHeaders({
      headers: {},
      basicAuth: { username: 'user', password: secretPlaceholder('obj.d.0') },
    });
    const template = `headers:\n  Authorization: ${headers.Authorization ?? ''}\n`;
    assert.ok(!template.includes('pässword'), 'the template holds no secret');
    assert.equal(masked(template), 'headers:\n  Authorization: Basic ********\n');
    const content = materialize('otel-yaml', template, new Map([['obj.d.0', 'pässword$1']]));
    assert.equal(
      content,
      `headers:\n  Authorization: Basic ${Buffer.from('user:pässword$1').toString('base64')}\n`,
    );
  });

  it('encodes a text without placeholders at once, and refuses a template naming a secret it lacks', () => {
    assert.equal(base64OrDeferred('a:b'), Buffer.from('a:b').toString('base64'));
    assert.throws(
      () => materialize('alloy', `token = "${secretPlaceholder('obj.gone.0')}"`, new Map()),
      (error: unknown) => error instanceof MissingSecretError && error.secretName === 'obj.gone.0',
    );
  });
});
