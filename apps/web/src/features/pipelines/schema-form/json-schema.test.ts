import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldKind, fieldLabel, isSecretPath, pruneConfig } from './json-schema.ts';

describe('generated config forms', () => {
  it('picks a control for each schema shape the catalogue emits', () => {
    assert.equal(fieldKind({ type: 'string', enum: ['a', 'b'] }), 'enum');
    assert.equal(fieldKind({ type: 'integer' }), 'integer');
    assert.equal(fieldKind({ type: 'array', items: { type: 'string' } }), 'string-list');
    assert.equal(fieldKind({ type: 'array', items: { type: 'string', enum: ['cpu'] } }), 'enum-list');
    assert.equal(fieldKind({ type: 'array', items: { type: 'object', properties: {} } }), 'object-list');
    assert.equal(fieldKind({ type: 'object', additionalProperties: { type: 'string' } }), 'map');
    assert.equal(fieldKind({ type: 'object', properties: {} }), 'object');
    assert.equal(fieldKind({ anyOf: [{ type: 'string' }, { type: 'number' }] }), 'json');
  });

  it('matches secret paths with * standing for one map key', () => {
    assert.equal(isSecretPath('headers.Authorization', ['headers.*']), true);
    assert.equal(isSecretPath('basicAuth.password', ['basicAuth.password']), true);
    assert.equal(isSecretPath('basicAuth.username', ['basicAuth.password']), false);
    assert.equal(isSecretPath('headers', ['headers.*']), false);
  });

  it('labels keys in words with their unit', () => {
    assert.equal(fieldLabel('listenAddress'), 'Listen address');
    assert.equal(fieldLabel('scrapeIntervalSeconds'), 'Scrape interval (seconds)');
    assert.equal(fieldLabel('timeoutMilliseconds'), 'Timeout (ms)');
  });

  it('drops empty fields and blocks but keeps an empty secret, which clears it', () => {
    assert.deepEqual(
      pruneConfig({ endpoint: 'a:1', tenantId: '', basicAuth: { username: '' }, bearerToken: '' }, [
        'bearerToken',
      ]),
      { endpoint: 'a:1', bearerToken: '' },
    );
    assert.deepEqual(pruneConfig({ list: ['x', ''], n: 0, off: false }, []), {
      list: ['x'],
      n: 0,
      off: false,
    });
  });
});
