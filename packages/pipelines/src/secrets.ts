import { destinationEntry, processorEntry, sourceEntry } from './catalogue/index.ts';
import type { ObjectKind } from './catalogue/types.ts';

/**
 * The secret fields each catalogue type declares (`secretFields`), applied to a config: the
 * server encrypts what {@link mapSecrets} visits before storing and the API masks it on the way
 * out. Paths are dotted; `*` matches every key of a map (`headers.*`).
 */

/** The secret field paths of a type, or undefined for a type the catalogue does not know. */
export function secretFieldsOf(kind: ObjectKind, type: string): readonly string[] | undefined {
  const entry =
    kind === 'source'
      ? sourceEntry(type)
      : kind === 'processor'
        ? processorEntry(type)
        : destinationEntry(type);
  return entry?.secretFields;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A copy of `config` with every string at a secret path replaced by `replace(value, path)`;
 * the input is never changed.
 *
 * @example mapSecrets({ token: 't', url: 'u' }, ['token'], () => '••••') // { token: '••••', url: 'u' }
 */
export function mapSecrets(
  config: unknown,
  paths: readonly string[],
  replace: (value: string, path: string) => string,
): unknown {
  const visit = (node: unknown, parts: readonly string[], at: string): unknown => {
    if (parts.length === 0) return typeof node === 'string' ? replace(node, at) : node;
    if (!isRecord(node)) return node;
    const [head, ...rest] = parts as [string, ...string[]];
    const copy: Record<string, unknown> = { ...node };
    for (const key of head === '*' ? Object.keys(node) : Object.hasOwn(node, head) ? [head] : []) {
      copy[key] = visit(node[key], rest, at === '' ? key : `${at}.${key}`);
    }
    return copy;
  };
  return paths.reduce((current, path) => visit(current, path.split('.'), ''), config);
}
