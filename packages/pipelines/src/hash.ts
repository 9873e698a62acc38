import { createHash } from 'node:crypto';

/** SHA-256 hex of the rendered text (UTF-8): the config version's identity. */
export function configHashHex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
