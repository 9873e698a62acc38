import { z } from 'zod';
import { catalogue } from './catalogue/index.ts';
import { filterConfig } from './catalogue/processors.ts';

/**
 * The pipeline objects of issue #11, as zod schemas shared by the REST API (validation with
 * field-named errors), the web UI (forms) and the renderers. Each `…InputSchema` is what an
 * operator submits; the stored object adds its `id` (a server-minted UUID). A source's,
 * destination's or processor's `config` is validated by its catalogue type's schema, so errors
 * name the field inside it (`config.endpoint`) and defaults are filled in.
 */

const name = z.string().trim().min(1, 'a name is required').max(200);
const id = z.string().min(1).max(200);

/** `{type, config}` for each catalogue entry of a kind, as one discriminated union. */
function typedConfig(entries: readonly { type: string; configSchema: z.ZodType }[]) {
  const [first, ...rest] = entries.map((e) => z.object({ type: z.literal(e.type), config: e.configSchema }));
  if (first === undefined) throw new Error('empty catalogue');
  return z.discriminatedUnion('type', [first, ...rest]);
}

export const sourceInputSchema = z.intersection(z.object({ name }), typedConfig(catalogue.sources));
export const destinationInputSchema = z.intersection(z.object({ name }), typedConfig(catalogue.destinations));
export const processorStepSchema = typedConfig(catalogue.processors);

export const pipelineInputSchema = z.object({
  name,
  description: z.string().max(2000).optional(),
  processors: z.array(processorStepSchema).max(32).default([]),
  /** Drops matching records after every step, before hand-off (a `filter` processor at the end). */
  outputFilter: filterConfig.optional(),
});

export const routeTargetSchema = z
  .object({
    collectorIds: z.array(id).default([]),
    groupIds: z.array(id).default([]),
    /** Collectors whose labels hold every one of these pairs. */
    labels: z.record(z.string().min(1), z.string()).default({}),
  })
  .default({ collectorIds: [], groupIds: [], labels: {} });

export const routeInputSchema = z.object({
  name,
  sourceId: id,
  /** No pipeline = source straight to the destinations. */
  pipelineId: id.optional(),
  destinationIds: z
    .array(id)
    .min(1, 'a route needs at least one destination')
    .refine((ids) => new Set(ids).size === ids.length, 'a destination is listed twice'),
  target: routeTargetSchema,
  enabled: z.boolean().default(true),
});

export const matcherSchema = z
  .object({
    label: z.string().min(1),
    op: z.enum(['=', '!=', '=~', '!~']),
    value: z.string(),
  })
  .refine(
    (m) => {
      if (m.op !== '=~' && m.op !== '!~') return true;
      try {
        new RegExp(m.value);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'not a valid regular expression', path: ['value'] },
  );

export const groupInputSchema = z.object({ name, matchers: z.array(matcherSchema).default([]) });

export type SourceInput = z.input<typeof sourceInputSchema>;
export type Source = z.output<typeof sourceInputSchema> & { readonly id: string };
export type DestinationInput = z.input<typeof destinationInputSchema>;
export type Destination = z.output<typeof destinationInputSchema> & { readonly id: string };
export type ProcessorStep = z.output<typeof processorStepSchema>;
export type PipelineInput = z.input<typeof pipelineInputSchema>;
export type Pipeline = z.output<typeof pipelineInputSchema> & { readonly id: string };
export type RouteInput = z.input<typeof routeInputSchema>;
export type Route = z.output<typeof routeInputSchema> & { readonly id: string };
export type Matcher = z.output<typeof matcherSchema>;
export type GroupInput = z.input<typeof groupInputSchema>;
export type Group = z.output<typeof groupInputSchema> & { readonly id: string };

export interface FieldError {
  /** Dotted path of the offending field, e.g. `config.endpoint` or `processors.1.config.timeoutMilliseconds`. */
  readonly field: string;
  readonly message: string;
}

/** zod issues as `{field, message}`, the shape the API's validation errors use. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/**
 * Whether a group's matchers all hold for a collector's labels (Prometheus-style: a missing label
 * reads as ""; regexes are anchored). A group without matchers matches nothing, so an empty group
 * never targets the whole fleet by accident.
 *
 * @example groupMatches({ matchers: [{ label: 'env', op: '=~', value: 'prod|stage' }] }, { env: 'prod' }) // true
 */
export function groupMatches(
  group: { readonly matchers: readonly Matcher[] },
  labels: Readonly<Record<string, string>>,
): boolean {
  if (group.matchers.length === 0) return false;
  return group.matchers.every((m) => {
    const value = Object.hasOwn(labels, m.label) ? (labels[m.label] as string) : '';
    switch (m.op) {
      case '=':
        return value === m.value;
      case '!=':
        return value !== m.value;
      case '=~':
        return new RegExp(`^(?:${m.value})$`).test(value);
      case '!~':
        return !new RegExp(`^(?:${m.value})$`).test(value);
    }
  });
}

/** Whether a route targets a collector, directly, through one of its groups or by labels. */
export function routeTargets(
  route: Pick<Route, 'enabled' | 'target'>,
  collector: { readonly id: string; readonly labels: Readonly<Record<string, string>> },
  groups: readonly Group[],
): boolean {
  if (!route.enabled) return false;
  const { collectorIds, groupIds, labels } = route.target;
  if (collectorIds.includes(collector.id)) return true;
  if (groups.some((g) => groupIds.includes(g.id) && groupMatches(g, collector.labels))) return true;
  const pairs = Object.entries(labels);
  return pairs.length > 0 && pairs.every(([k, v]) => collector.labels[k] === v);
}
