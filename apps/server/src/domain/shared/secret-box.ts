import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets LinkMesh must render into collector configs (and so cannot keep as hashes) are kept
 * encrypted with the server secret: AES-256-GCM under a key derived per purpose
 * (HKDF-SHA256, info = purpose), with the owning record's id as additional data, so a sealed
 * value copied onto another record or read under another purpose does not open.
 *
 * Sealed form: `v1.<nonce base64url>.<ciphertext+tag base64url>`.
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly serverSecret: Buffer) {
    if (serverSecret.length < 32) throw new Error('the server secret must be at least 32 bytes');
  }

  seal(purpose: SecretPurpose, ownerId: string, plaintext: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(purpose), nonce);
    cipher.setAAD(Buffer.from(ownerId, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `v1.${nonce.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** Throws when the value was not sealed by this server secret for this purpose and owner. */
  open(purpose: SecretPurpose, ownerId: string, sealed: string): string {
    const [version, nonceText, bodyText] = sealed.split('.');
    if (version !== 'v1' || nonceText === undefined || bodyText === undefined)
      throw new Error('not a sealed secret');
    const body = Buffer.from(bodyText, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key(purpose), Buffer.from(nonceText, 'base64url'));
    decipher.setAAD(Buffer.from(ownerId, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString(
      'utf8',
    );
  }

  private key(purpose: SecretPurpose): Buffer {
    let key = this.keys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.serverSecret, 'linkmesh', `linkmesh/${purpose}/v1`, 32));
      this.keys.set(purpose, key);
    }
    return key;
  }
}

/** What a sealed secret is for; each gets its own key. */
export type SecretPurpose = 'telemetry-token' | 'destination-secret';
