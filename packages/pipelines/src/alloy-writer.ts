import { alloyString } from '@linkmesh/alloy/render';

/**
 * A tiny Alloy syntax tree and its printer, so catalogue entries describe components as data and
 * the text comes out in one style: two-space indent, `=` aligned within a run of attributes (as
 * `alloy fmt` does), map keys sorted so caller key order never shows.
 */

export interface AlloyRef {
  /** A dotted reference written verbatim, e.g. `otelcol.exporter.debug.dst_x.input`. */
  readonly ref: string;
}
export interface AlloyMap {
  readonly map: Readonly<Record<string, AlloyValue>>;
}
export type AlloyValue = string | number | boolean | readonly AlloyValue[] | AlloyRef | AlloyMap;

export type AlloyNode =
  | { readonly attr: string; readonly value: AlloyValue }
  | { readonly block: string; readonly label?: string; readonly body: readonly AlloyNode[] };

/** A top-level labelled component. */
export interface AlloyComponent {
  readonly component: string;
  readonly label: string;
  readonly body: readonly AlloyNode[];
}

export const ref = (path: string): AlloyRef => ({ ref: path });
export const attr = (name: string, value: AlloyValue): AlloyNode => ({ attr: name, value });
export const block = (name: string, body: readonly AlloyNode[]): AlloyNode => ({ block: name, body });

/** `attr` only when the value is present (and, for lists, non-empty). */
export function optionalAttr(name: string, value: AlloyValue | undefined): AlloyNode[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.length === 0) return [];
  return [attr(name, value)];
}

function isRef(value: AlloyValue): value is AlloyRef {
  return typeof value === 'object' && !Array.isArray(value) && 'ref' in value;
}

function printValue(value: AlloyValue): string {
  if (typeof value === 'string') return alloyString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${(value as readonly AlloyValue[]).map(printValue).join(', ')}]`;
  if (isRef(value)) return value.ref;
  const entries = Object.entries((value as AlloyMap).map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${alloyString(k)} = ${printValue(v)}`).join(', ')}}`;
}

function printBody(body: readonly AlloyNode[], indent: string): string[] {
  const lines: string[] = [];
  let i = 0;
  while (i < body.length) {
    const node = body[i] as AlloyNode;
    if ('block' in node) {
      lines.push(...printBlock(node.block, node.label, node.body, indent));
      i++;
      continue;
    }
    // A run of consecutive attributes shares one alignment column.
    const run: { attr: string; value: AlloyValue }[] = [];
    while (i < body.length && 'attr' in (body[i] as AlloyNode))
      run.push(body[i++] as { attr: string; value: AlloyValue });
    const width = Math.max(...run.map((a) => a.attr.length));
    for (const a of run) lines.push(`${indent}${a.attr.padEnd(width)} = ${printValue(a.value)}`);
  }
  return lines;
}

function printBlock(
  name: string,
  label: string | undefined,
  body: readonly AlloyNode[],
  indent: string,
): string[] {
  const head = label === undefined ? name : `${name} ${alloyString(label)}`;
  if (body.length === 0) return [`${indent}${head} {}`];
  return [`${indent}${head} {`, ...printBody(body, `${indent}  `), `${indent}}`];
}

/** The component as Alloy lines. */
export function printComponent(component: AlloyComponent): string[] {
  return printBlock(component.component, component.label, component.body, '');
}
