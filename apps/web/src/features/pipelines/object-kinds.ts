import type { CatalogueView, PipelineObjectKind } from '@linkmesh/contracts/pipelines-api';
import type { ObjectBody, ObjectViewOf } from '../../api/pipelines.api.ts';
import { entryOf } from './catalogue.hook.ts';
import { listOf, recordOf } from './forms/form-props.ts';
import { pruneConfig } from './schema-form/json-schema.ts';

/** The words each kind is called by, in the order the section's navigation lists them. */
export const kindLabels: Record<PipelineObjectKind, { singular: string; plural: string; blurb: string }> = {
  route: {
    singular: 'route',
    plural: 'Routes',
    blurb:
      'A route sends a source, through an optional pipeline, to destinations on the collectors it targets.',
  },
  source: {
    singular: 'source',
    plural: 'Sources',
    blurb: 'Where telemetry comes from: OTLP, files, journald, syslog, Prometheus scrapes, Kafka…',
  },
  pipeline: {
    singular: 'pipeline',
    plural: 'Pipelines',
    blurb: 'Ordered processor steps (batch, filter, transform, redact, sample) a route runs records through.',
  },
  destination: {
    singular: 'destination',
    plural: 'Destinations',
    blurb: 'Where telemetry goes: OTLP endpoints, Loki, Tempo, Prometheus, Grafana Cloud, ClickHouse, S3…',
  },
  group: {
    singular: 'group',
    plural: 'Groups',
    blurb: 'Collectors chosen by their labels, so routes target many collectors at once.',
  },
};

export const kindOrder: PipelineObjectKind[] = ['route', 'source', 'pipeline', 'destination', 'group'];

/** The body a new object's form starts from. */
export function emptyBody(kind: PipelineObjectKind): ObjectBody {
  switch (kind) {
    case 'source':
    case 'destination':
      return { name: '', type: '', config: {} };
    case 'pipeline':
      return { name: '', description: '', processors: [] };
    case 'route':
      return {
        name: '',
        sourceId: '',
        destinationIds: [],
        target: { collectorIds: [], groupIds: [], labels: {} },
        enabled: true,
      };
    case 'group':
      return { name: '', matchers: [{ label: '', op: '=', value: '' }] };
  }
}

/** The editable body of a saved object (secrets stay as their mask, which keeps them). */
export function bodyOf<K extends PipelineObjectKind>(kind: K, view: ObjectViewOf[K]): ObjectBody {
  const v: ObjectViewOf[PipelineObjectKind] = view;
  switch (kind) {
    case 'source':
    case 'destination': {
      const s = v as ObjectViewOf['source'];
      return { name: s.name, type: s.type, config: s.config };
    }
    case 'pipeline': {
      const p = v as ObjectViewOf['pipeline'];
      return {
        name: p.name,
        description: p.description ?? '',
        processors: p.processors,
        ...(p.outputFilter === undefined ? {} : { outputFilter: p.outputFilter }),
      };
    }
    case 'route': {
      const r = v as ObjectViewOf['route'];
      return {
        name: r.name,
        sourceId: r.sourceId,
        ...(r.pipelineId === undefined ? {} : { pipelineId: r.pipelineId }),
        destinationIds: r.destinationIds,
        target: r.target,
        enabled: r.enabled,
      };
    }
    case 'group': {
      const g = v as ObjectViewOf['group'];
      return { name: g.name, matchers: g.matchers };
    }
  }
  throw new Error(`unknown kind ${String(kind)}`);
}

/**
 * What is sent (to save or to preview): configs without the fields left blank, so the server's
 * defaults apply, and no empty description.
 */
export function requestOf(kind: PipelineObjectKind, draft: ObjectBody, catalogue: CatalogueView): ObjectBody {
  switch (kind) {
    case 'source':
    case 'destination': {
      const entries = kind === 'source' ? catalogue.sources : catalogue.destinations;
      const secretFields = entryOf(entries, draft.type)?.secretFields ?? [];
      return { ...draft, config: pruneConfig(recordOf(draft.config), secretFields) };
    }
    case 'pipeline': {
      const { description, outputFilter, ...rest } = draft;
      return {
        ...rest,
        ...(typeof description === 'string' && description.trim() !== '' ? { description } : {}),
        processors: listOf(draft.processors).map((step) => {
          const s = recordOf(step);
          return { type: s.type, config: pruneConfig(recordOf(s.config), []) };
        }),
        ...(outputFilter === undefined ? {} : { outputFilter: pruneConfig(outputFilter, []) }),
      };
    }
    case 'route':
    case 'group':
      return draft;
  }
}
