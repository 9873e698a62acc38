import {
  alloyComponents as alloyComponentsOf,
  alloyReferences,
  parseAlloy,
  type AlloyStatement,
} from '@linkmesh/alloy/syntax';
import { parse as parseYaml } from 'yaml';
import { parseComponentId } from './component-ids.ts';
import type { OtelComponentKind } from './known-components.ts';
import { alloyHas, alloyMissing, effectiveVersion, otelcolHas, otelcolMissing } from './known-lookup.ts';

/**
 * Structural checks of a rendered config, run on every render in the tests (and cheap enough to
 * run before delivery). Each returns the problems found; an empty list means the config is well
 * formed. They check the text, not the renderer's intent: they would catch a hand-edited config too.
 */

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const sectionKinds: Record<string, OtelComponentKind> = {
  receivers: 'receiver',
  processors: 'processor',
  exporters: 'exporter',
  extensions: 'extension',
};

/**
 * OTel YAML: it parses (no duplicate keys); only known top-level sections; no `service::telemetry`;
 * every pipeline is `<logs|metrics|traces>/<name>` with at least one receiver and one exporter;
 * every component a pipeline names is defined and every defined one is used; every component type
 * is one otelcol-contrib ships at `version`; every ID parses to one LinkMesh object (or internal)
 * and no object is rendered twice.
 */
export function checkOtelConfig(text: string, options: { version?: string | undefined } = {}): string[] {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true, strict: true, prettyErrors: true });
  } catch (error) {
    return [`YAML does not parse: ${(error as Error).message}`];
  }
  if (!isRecord(doc)) return ['the document is not a map'];
  const version = effectiveVersion('otelcol', options.version);
  for (const key of Object.keys(doc)) {
    if (!(key in sectionKinds) && key !== 'service') problems.push(`unexpected top-level section "${key}"`);
  }
  const service = doc['service'];
  if (!isRecord(service)) return [...problems, 'no service section'];
  if ('telemetry' in service)
    problems.push('service::telemetry must never be rendered (it replaces the own-metrics reader)');
  const pipelines = service['pipelines'];
  if (!isRecord(pipelines) || Object.keys(pipelines).length === 0) return [...problems, 'no pipelines'];

  const used = new Set<string>();
  const defined = (section: string): Record<string, unknown> => {
    const value = doc[section];
    return isRecord(value) ? value : {};
  };
  for (const [name, pipeline] of Object.entries(pipelines)) {
    if (!/^(logs|metrics|traces)(\/[^/\s]+)?$/.test(name))
      problems.push(`pipeline "${name}" is not <signal>/<name>`);
    if (!isRecord(pipeline)) {
      problems.push(`pipeline "${name}" is not a map`);
      continue;
    }
    for (const section of ['receivers', 'processors', 'exporters']) {
      const list = pipeline[section] ?? [];
      if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) {
        problems.push(`pipeline "${name}" ${section} is not a list of IDs`);
        continue;
      }
      if (section !== 'processors' && list.length === 0)
        problems.push(`pipeline "${name}" has no ${section.slice(0, -1)}`);
      for (const id of list as string[]) {
        if (!(id in defined(section)))
          problems.push(`pipeline "${name}" uses ${section.slice(0, -1)} "${id}", which is not defined`);
        used.add(`${section}:${id}`);
      }
    }
    if (parseComponentId(name).kind === 'unknown')
      problems.push(`pipeline "${name}" maps to no LinkMesh object`);
  }
  const claimed = new Map<string, string>();
  for (const [section, kind] of Object.entries(sectionKinds)) {
    for (const id of Object.keys(defined(section))) {
      const type = id.split('/')[0] ?? id;
      if (!otelcolHas(kind, type, version))
        problems.push(`${kind} "${id}": ${otelcolMissing(kind, type)} (checked for ${version.join('.')})`);
      if (kind !== 'extension' && !used.has(`${section}:${id}`))
        problems.push(`${kind} "${id}" is defined but no pipeline uses it`);
      const parsed = parseComponentId(id);
      if (parsed.kind === 'unknown') problems.push(`${kind} "${id}" maps to no LinkMesh object`);
      if (parsed.kind !== 'internal' && parsed.kind !== 'unknown') {
        const key = `${kind}:${JSON.stringify(parsed)}`;
        const other = claimed.get(key);
        if (other !== undefined) problems.push(`${kind}s "${other}" and "${id}" map to the same object`);
        claimed.set(key, id);
      }
    }
  }
  return problems;
}

type Block = AlloyStatement & { kind: 'block' };

/** Export fields LinkMesh's Alloy configs reference, and which way data flows through them. */
const exportFlow: Record<string, 'to-owner' | 'from-owner' | 'none'> = {
  input: 'to-owner', // otelcol.Consumer: the referencing component sends to the owner
  receiver: 'to-owner', // Loki / Prometheus receivers
  targets: 'from-owner', // a scrape reads an exporter's targets: data flows owner → referencer
  handler: 'none', // an auth handler carries no telemetry
};

const isSink = (name: string) =>
  name.startsWith('otelcol.exporter.') || name === 'loki.write' || name === 'prometheus.remote_write';
const isRoot = (name: string) =>
  name.startsWith('otelcol.receiver.') ||
  name.startsWith('loki.source.') ||
  name.startsWith('prometheus.exporter.');

/**
 * Alloy text: it parses (packages/alloy's checker); only `remotecfg` / `logging` blocks are
 * unlabelled; every component is one Alloy ships at `version`, declared once, and its label maps
 * to a LinkMesh object (or internal); every reference names a declared component's export; every
 * otelcol receiver and processor has a non-empty `output`; data from every receiver reaches an
 * exporter, and every exporter is fed by a receiver (Alloy's form of "each pipeline has a
 * receiver and an exporter").
 */
export function checkAlloyConfig(text: string, options: { version?: string | undefined } = {}): string[] {
  let tree: AlloyStatement[];
  try {
    tree = parseAlloy(text);
  } catch (error) {
    return [`Alloy syntax: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  const version = effectiveVersion('alloy', options.version);
  const seen = new Map<string, number>();
  for (const s of tree) {
    if (s.kind !== 'block') {
      problems.push(`top-level attribute "${s.name}"`);
      continue;
    }
    if (s.label === undefined) {
      if (s.name !== 'remotecfg' && s.name !== 'logging') problems.push(`unlabelled block "${s.name}"`);
      continue;
    }
    const id = `${s.name}.${s.label}`;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    if (!alloyHas(s.name, version))
      problems.push(`${id}: ${alloyMissing(s.name)} (checked for ${version.join('.')})`);
    if (parseComponentId(id).kind === 'unknown') problems.push(`${id} maps to no LinkMesh object`);
  }
  for (const [id, count] of seen) if (count > 1) problems.push(`${id} is declared ${count} times`);

  const components = alloyComponentsOf(tree);
  const flowsTo = new Map<string, Set<string>>([...components.keys()].map((id) => [id, new Set<string>()]));
  for (const [id, component] of components) {
    for (const reference of alloyReferences([component])) {
      const dot = reference.lastIndexOf('.');
      const owner = reference.slice(0, dot);
      const field = reference.slice(dot + 1);
      const flow = exportFlow[field];
      if (!components.has(owner) || flow === undefined) {
        problems.push(`${id} references ${reference}, which no declared component exports`);
        continue;
      }
      if (flow === 'to-owner') flowsTo.get(id)?.add(owner);
      if (flow === 'from-owner') flowsTo.get(owner)?.add(id);
    }
    if (component.name.startsWith('otelcol.receiver.') || component.name.startsWith('otelcol.processor.')) {
      const output = component.body.find((b): b is Block => b.kind === 'block' && b.name === 'output');
      const targets = output ? alloyReferences(output.body) : [];
      if (targets.length === 0) problems.push(`${id} has no output`);
    }
  }
  const reach = (from: string): Set<string> => {
    const found = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      for (const next of flowsTo.get(stack.pop() as string) ?? []) {
        if (!found.has(next)) {
          found.add(next);
          stack.push(next);
        }
      }
    }
    return found;
  };
  const fed = new Set<string>();
  for (const [id, component] of components) {
    if (!isRoot(component.name)) continue;
    const downstream = reach(id);
    downstream.forEach((d) => fed.add(d));
    const reachesSink = [...downstream].some((d) => isSink(components.get(d)?.name ?? ''));
    if (!reachesSink) problems.push(`data from ${id} reaches no exporter`);
  }
  for (const [id, component] of components) {
    if (isSink(component.name) && !fed.has(id)) problems.push(`exporter ${id} is fed by no receiver`);
  }
  return problems;
}
