import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateAgentKeyPair, isAgentPublicKey, openSealedToken, sealToken } from './sealed-token.ts';

test('a token sealed to an agent key opens only with that key and context', () => {
  const keys = generateAgentKeyPair();
  assert.ok(isAgentPublicKey(keys.publicKey));
  const sealed = sealToken('lmct_example', keys.publicKey, 'collector-1');
  assert.equal(openSealedToken(sealed, keys, 'collector-1'), 'lmct_example');
  assert.ok(!JSON.stringify(sealed).includes('lmct_example'));
  assert.throws(() => openSealedToken(sealed, keys, 'collector-2'));
  assert.throws(() => openSealedToken(sealed, generateAgentKeyPair(), 'collector-1'));
  const flipped = Buffer.from(sealed.ciphertext, 'base64url');
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  assert.throws(() =>
    openSealedToken({ ...sealed, ciphertext: flipped.toString('base64url') }, keys, 'collector-1'),
  );
});

test('malformed public keys are refused', () => {
  for (const bad of ['', 'abc', 'A'.repeat(44), '!'.repeat(43)]) assert.equal(isAgentPublicKey(bad), false);
});
