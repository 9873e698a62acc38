import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Credential prefixes (ARCHITECTURE §2). The prefix makes a leaked token recognisable
 * (secret scanners, support tickets) and tells the verifier which table row kind to expect.
 */
export const credentialPrefix = {
  enrollment: 'lmet_',
  collector: 'lmct_',
  /** Pushes self-telemetry only; rendered into the configs LinkMesh delivers (kept sealed). */
  telemetry: 'lmtt_',
  serviceAccount: 'lmsat_',
  session: 'lms_',
} as const;

export type CredentialKind = keyof typeof credentialPrefix;

/** 32 random bytes (256 bits), base64url: URL-safe, no `"` or `\` (the supervisor quotes it into YAML). */
export function mintCredential(kind: CredentialKind): string {
  return credentialPrefix[kind] + randomBytes(32).toString('base64url');
}

/** Credentials are stored only as SHA-256 hex digests. */
export function hashCredential(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests (same length by construction). */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** What may be shown of a credential after minting: its prefix and four characters. */
export function displayPrefix(token: string): string {
  const underscore = token.indexOf('_');
  return token.slice(0, underscore + 5) + '…';
}

/** A loose shape check done before any hashing or lookup: prefix + 43 base64url chars. */
export function looksLikeCredential(token: string, kind: CredentialKind): boolean {
  const prefix = credentialPrefix[kind];
  return token.startsWith(prefix) && /^[A-Za-z0-9_-]{20,200}$/.test(token.slice(prefix.length));
}
