import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SecretBox } from './secret-box.ts';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, and the sealed form does not contain the plaintext', () => {
    const sealed = box.seal('telemetry-token', 'col_1', 'lmtt_secret-value');
    assert.ok(!sealed.includes('secret-value'));
    assert.equal(box.open('telemetry-token', 'col_1', sealed), 'lmtt_secret-value');
    assert.notEqual(box.seal('telemetry-token', 'col_1', 'x'), box.seal('telemetry-token', 'col_1', 'x'));
  });

  it('refuses another owner, another purpose, another server secret, or a changed byte', () => {
    const sealed = box.seal('telemetry-token', 'col_1', 'value');
    assert.throws(() => box.open('telemetry-token', 'col_2', sealed));
    assert.throws(() => box.open('destination-secret', 'col_1', sealed));
    assert.throws(() => new SecretBox(randomBytes(32)).open('telemetry-token', 'col_1', sealed));
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    assert.throws(() => box.open('telemetry-token', 'col_1', tampered));
    assert.throws(() => box.open('telemetry-token', 'col_1', 'plain'));
  });
});
