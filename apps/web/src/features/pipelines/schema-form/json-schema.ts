import { maskedSecretValue } from '@linkmesh/contracts/pipelines-api';

/**
 * The part of JSON Schema that zod 4's `z.toJSONSchema(schema, {io: 'input'})` emits for the
 * catalogue's config schemas, which is all the generated forms need to understand.
 */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  enum?: readonly (string | number)[];
  anyOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  pattern?: string;
}

/** How a schema node is edited. */
export type FieldKind =
  | 'boolean'
  | 'enum'
  | 'string'
  | 'number'
  | 'integer'
  | 'enum-list'
  | 'string-list'
  | 'object-list'
  | 'map'
  | 'object'
  | 'json';

/**
 * Picks the control for a schema node; anything the form does not understand (a union, a list
 * of lists) is edited as JSON rather than hidden.
 *
 * @example fieldKind({ type: 'array', items: { type: 'string' } }) // 'string-list'
 */
export function fieldKind(schema: JsonSchema): FieldKind {
  if (schema.enum !== undefined) return 'enum';
  switch (schema.type) {
    case 'boolean':
    case 'string':
    case 'number':
    case 'integer':
      return schema.type;
    case 'array': {
      const items = schema.items ?? {};
      if (items.enum !== undefined) return 'enum-list';
      if (items.type === 'string') return 'string-list';
      if (items.type === 'object' && items.properties !== undefined) return 'object-list';
      return 'json';
    }
    case 'object':
      if (schema.properties !== undefined) return 'object';
      if (typeof schema.additionalProperties === 'object') return 'map';
      return 'json';
    case 'null':
    case undefined:
      return 'json';
  }
  return 'json'; // a type this schema subset does not name
}

/**
 * Whether the config field at `path` (dotted, relative to `config`) is a secret, given the
 * catalogue's `secretFields` where `*` stands for any one map key.
 *
 * @example isSecretPath('headers.Authorization', ['headers.*']) // true
 */
export function isSecretPath(path: string, secretFields: readonly string[]): boolean {
  const parts = path.split('.');
  return secretFields.some((field) => {
    const pattern = field.split('.');
    return pattern.length === parts.length && pattern.every((p, i) => p === '*' || p === parts[i]);
  });
}

/**
 * "listenAddress" → "Listen address", "scrapeIntervalSeconds" → "Scrape interval (seconds)":
 * the schema's keys carry units in their names, the label shows them as units.
 */
export function fieldLabel(key: string): string {
  const unit = /(Seconds|Milliseconds|Hours|Percentage|Mib)$/.exec(key)?.[1];
  const stem = unit === undefined ? key : key.slice(0, -unit.length);
  const words = stem
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  const label = words.charAt(0).toUpperCase() + words.slice(1);
  const unitLabel: Record<string, string> = {
    Seconds: 'seconds',
    Milliseconds: 'ms',
    Hours: 'hours',
    Percentage: '%',
    Mib: 'MiB',
  };
  return unit === undefined ? label : `${label} (${unitLabel[unit] ?? unit})`;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What the form sends: fields left empty are dropped so the server fills in its defaults
 * (and an optional block such as `basicAuth` left blank is not sent half-filled). Secrets keep
 * an empty string, which tells the server to clear the stored value.
 *
 * @example pruneConfig({ a: '', b: { c: undefined }, token: '' }, ['token']) // { token: '' }
 */
export function pruneConfig(value: unknown, secretFields: readonly string[], path = ''): unknown {
  // A list edited one item per line may end in a blank line: not an item.
  if (Array.isArray(value))
    return value.map((item) => pruneConfig(item, secretFields, `${path}.*`)).filter((item) => item !== '');
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    const secret = isSecretPath(childPath, secretFields);
    const pruned = pruneConfig(child, secretFields, childPath);
    if (pruned === undefined || (pruned === '' && !secret)) continue;
    if (isPlainObject(pruned) && Object.keys(pruned).length === 0 && isPlainObject(child)) continue;
    out[key] = pruned;
  }
  return out;
}

/** Whether a stored secret is shown by the API as its mask (a value exists, unseen). */
export const isMaskedSecret = (value: unknown): boolean => value === maskedSecretValue;

/** A default as placeholder text: lists one per line, objects as JSON. */
export function placeholderOf(schema: JsonSchema): string {
  const value = schema.default;
  if (value === undefined || value === null || value === '') return '';
  if (Array.isArray(value)) return value.map(String).join('\n');
  if (typeof value === 'object') return JSON.stringify(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}
