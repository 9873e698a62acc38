import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

/**
 * Sealed delivery of a rotated collector bearer to `linkmesh-agent` (Node only; not for the web).
 *
 * The server keeps only bearer hashes, so a rotated bearer cannot be handed out later in the
 * clear. At bootstrap the agent sends an X25519 public key; at rotation the server seals the new
 * bearer to it (ephemeral X25519 → HKDF-SHA256 → AES-256-GCM) and keeps only the sealed box until
 * the agent collects it. A database reader learns nothing: opening the box needs the host's
 * private key, which never leaves the host.
 */
export interface SealedToken {
  /** Always `x25519-hkdf-sha256-aes256gcm`; lets the scheme change later. */
  readonly alg: 'x25519-hkdf-sha256-aes256gcm';
  /** The server's one-off public key (base64url, 32 raw bytes). */
  readonly ephemeralPublicKey: string;
  /** AES-GCM nonce (base64url, 12 bytes). */
  readonly nonce: string;
  /** Ciphertext followed by the 16-byte GCM tag (base64url). */
  readonly ciphertext: string;
}

export interface AgentKeyPair {
  /** base64url of the raw 32-byte X25519 public key (what the agent sends at bootstrap). */
  readonly publicKey: string;
  /** base64url of the raw 32-byte X25519 private key (kept on the host, mode 0600). */
  readonly privateKey: string;
}

const info = Buffer.from('linkmesh sealed bearer v1');
const rawKeyLength = 32;

/** A fresh X25519 key pair for an agent. */
export function generateAgentKeyPair(): AgentKeyPair {
  const { privateKey } = generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' });
  if (jwk.x === undefined || jwk.d === undefined) throw new Error('x25519 key export lost its fields');
  return { publicKey: jwk.x, privateKey: jwk.d };
}

/** True when `value` is a base64url X25519 public key this module can seal to. */
export function isAgentPublicKey(value: string): boolean {
  try {
    publicKeyFrom(value);
    return true;
  } catch {
    return false;
  }
}

/** Seals `token` to the agent's public key; `context` (the collector id) is bound as associated data. */
export function sealToken(token: string, agentPublicKey: string, context: string): SealedToken {
  const recipient = publicKeyFrom(agentPublicKey);
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralRaw = ephemeral.privateKey.export({ format: 'jwk' }).x ?? '';
  const key = deriveKey(
    diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient }),
    ephemeralRaw,
    agentPublicKey,
  );
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    alg: 'x25519-hkdf-sha256-aes256gcm',
    ephemeralPublicKey: ephemeralRaw,
    nonce: nonce.toString('base64url'),
    ciphertext: body.toString('base64url'),
  };
}

/** Opens a sealed token with the agent's key pair; throws when it was not sealed to it or was altered. */
export function openSealedToken(sealed: SealedToken, keys: AgentKeyPair, context: string): string {
  // The type allows one alg, but the box arrived over the network.
  const alg: string = sealed.alg;
  if (alg !== 'x25519-hkdf-sha256-aes256gcm') throw new Error(`unknown sealed token alg ${alg}`);
  const privateKey = createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', x: keys.publicKey, d: keys.privateKey },
    format: 'jwk',
  });
  const key = deriveKey(
    diffieHellman({ privateKey, publicKey: publicKeyFrom(sealed.ephemeralPublicKey) }),
    sealed.ephemeralPublicKey,
    keys.publicKey,
  );
  const body = Buffer.from(sealed.ciphertext, 'base64url');
  if (body.length < 17) throw new Error('sealed token too short');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.nonce, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString(
    'utf8',
  );
}

function publicKeyFrom(base64url: string): KeyObject {
  if (!/^[A-Za-z0-9_-]{43}$/.test(base64url) || Buffer.from(base64url, 'base64url').length !== rawKeyLength)
    throw new Error('not a base64url X25519 public key');
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: base64url }, format: 'jwk' });
}

function deriveKey(shared: Buffer, ephemeralPublicKey: string, recipientPublicKey: string): Buffer {
  const salt = Buffer.concat([
    Buffer.from(ephemeralPublicKey, 'base64url'),
    Buffer.from(recipientPublicKey, 'base64url'),
  ]);
  return Buffer.from(hkdfSync('sha256', shared, salt, info, 32));
}
