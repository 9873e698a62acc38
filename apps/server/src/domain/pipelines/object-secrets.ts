import { maskedSecretValue, type SecretFieldView } from '@linkmesh/contracts/pipelines-api';
import { mapSecrets } from '@linkmesh/pipelines/secrets';
import type { SecretBox } from '../shared/secret-box.ts';

/**
 * The secret fields of a source's or destination's config (the catalogue's `secretFields`,
 * dotted, `*` for every key of a map) as they move between the API, storage and rendering:
 * sealed at rest, masked on the way out, opened only to render, and kept when an update leaves
 * them out. Each is sealed with the object's id and its own path as additional data, so a sealed
 * value moved to another field or object does not open.
 */

const aad = (objectId: string, path: string) => `${objectId}#${path}`;

/** Every concrete secret path of this config that holds a string, with its value. */
export function secretValues(config: unknown, paths: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  mapSecrets(config, paths, (value, path) => {
    found.set(path, value);
    return value;
  });
  return found;
}

export function sealSecrets(
  box: SecretBox,
  objectId: string,
  config: unknown,
  paths: readonly string[],
): unknown {
  return mapSecrets(config, paths, (value, path) =>
    value === '' ? '' : box.seal('destination-secret', aad(objectId, path), value),
  );
}

/** The inverse of {@link sealSecrets}. */
export function openSecrets(
  box: SecretBox,
  objectId: string,
  config: unknown,
  paths: readonly string[],
): unknown {
  return mapSecrets(config, paths, (value, path) =>
    value === '' ? '' : box.open('destination-secret', aad(objectId, path), value),
  );
}

/** The config as the API shows it: every stored secret `"********"`, and which ones are set. */
export function maskSecrets(
  config: unknown,
  paths: readonly string[],
): { config: unknown; secrets: SecretFieldView[] } {
  const secrets: SecretFieldView[] = [];
  const shown = mapSecrets(config, paths, (value, path) => {
    secrets.push({ path, hasValue: value !== '' });
    return value === '' ? '' : maskedSecretValue;
  });
  return { config: shown, secrets: secrets.sort((a, b) => (a.path < b.path ? -1 : 1)) };
}

/**
 * The submitted config with each secret the client left out, or sent back masked, taken from
 * the stored (opened) config: editors never see secrets, so they cannot send them back. An
 * empty string is a deliberate clear and stays.
 */
export function keepOmittedSecrets(submitted: unknown, stored: unknown, paths: readonly string[]): unknown {
  if (!isRecord(submitted)) return submitted;
  const result = structuredClone(submitted);
  for (const [path, value] of secretValues(stored, paths)) {
    const parts = path.split('.');
    const current = valueAt(result, parts);
    if (current === undefined || current === maskedSecretValue) setAt(result, parts, value);
  }
  // A masked value with nothing stored behind it is not a secret the server can keep.
  return mapSecrets(result, paths, (value) => (value === maskedSecretValue ? '' : value));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(node: unknown, parts: readonly string[]): unknown {
  let at: unknown = node;
  for (const part of parts) {
    if (!isRecord(at) || !Object.hasOwn(at, part)) return undefined;
    at = at[part];
  }
  return at;
}

/** Sets a secret back only where its enclosing object was submitted: dropping `basicAuth` drops its password too. */
function setAt(node: Record<string, unknown>, parts: readonly string[], value: string): void {
  let at = node;
  for (const part of parts.slice(0, -1)) {
    const next = at[part];
    if (!isRecord(next)) return;
    at = next;
  }
  at[parts[parts.length - 1] as string] = value;
}
