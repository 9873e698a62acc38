import { Document, isMap, isSeq } from 'yaml';

/**
 * OTel collector YAML in one style: a fixed section order, keys sorted inside every component's
 * config (caller key order never shows), pipeline lists in flow style (`[a, b]`, as the baseline
 * always was), no line folding. Every `$` in a string value is written `$$`: the collector's
 * confmap would otherwise expand `${…}` in a header, an OTTL statement or a regex anchor.
 */

export type OtelSections = {
  readonly receivers: Readonly<Record<string, unknown>>;
  readonly processors: Readonly<Record<string, unknown>>;
  readonly exporters: Readonly<Record<string, unknown>>;
  readonly pipelines: Readonly<
    Record<
      string,
      {
        readonly receivers: readonly string[];
        readonly processors: readonly string[];
        readonly exporters: readonly string[];
      }
    >
  >;
};

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeysDeep((value as Record<string, unknown>)[k])]),
    );
  }
  if (typeof value === 'string') return value.replaceAll('$', '$$$$');
  return value;
}

/** Components are written in the order given (the renderers sort them); their configs are key-sorted. */
export function otelYaml(header: readonly string[], sections: OtelSections): string {
  const component = (map: Readonly<Record<string, unknown>>) =>
    Object.fromEntries(Object.entries(map).map(([id, config]) => [id, sortKeysDeep(config)]));
  const doc = new Document(
    {
      receivers: component(sections.receivers),
      ...(Object.keys(sections.processors).length > 0 ? { processors: component(sections.processors) } : {}),
      exporters: component(sections.exporters),
      service: {
        pipelines: Object.fromEntries(
          Object.entries(sections.pipelines).map(([id, p]) => [
            id,
            {
              receivers: p.receivers,
              ...(p.processors.length > 0 ? { processors: p.processors } : {}),
              exporters: p.exporters,
            },
          ]),
        ),
      },
    },
    // A shared list (one processor chain in several signal pipelines) must not become an alias.
    { aliasDuplicateObjects: false },
  );
  // Pipeline member lists in flow style.
  const pipelines = doc.getIn(['service', 'pipelines']);
  if (isMap(pipelines)) {
    for (const pipeline of pipelines.items) {
      if (!isMap(pipeline.value)) continue;
      for (const member of pipeline.value.items) if (isSeq(member.value)) member.value.flow = true;
    }
  }
  const body = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  return [...header.map((line) => `# ${line}`), body].join('\n');
}
