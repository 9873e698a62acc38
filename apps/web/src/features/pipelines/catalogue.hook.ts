import type { CatalogueEntryView, CatalogueView } from '@linkmesh/contracts/pipelines-api';
import { getCatalogue } from '../../api/pipelines.api.ts';
import { useResource, type Resource } from '../../api/resource.hook.ts';
import type { JsonSchema } from './schema-form/json-schema.ts';

/** The catalogue changes only with the server's version: one load per page is plenty. */
export function useCatalogue(): Resource<CatalogueView> {
  return useResource('catalogue', getCatalogue);
}

export const schemaOf = (entry: CatalogueEntryView | undefined): JsonSchema =>
  entry?.configSchema ?? { type: 'object', properties: {} };

export const entryOf = (
  entries: readonly CatalogueEntryView[],
  type: unknown,
): CatalogueEntryView | undefined => entries.find((e) => e.type === type);
