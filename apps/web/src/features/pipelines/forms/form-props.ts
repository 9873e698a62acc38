import type { PipelineObjectKind } from '@linkmesh/contracts/pipelines-api';
import type { ObjectBody, ObjectViewOf } from '../../../api/pipelines.api.ts';

/** What every kind's form gets from the editor shell. */
export interface ObjectFormProps<K extends PipelineObjectKind = PipelineObjectKind> {
  /** The body being edited, in the shape `POST /<kind>s` takes. */
  draft: ObjectBody;
  onChange: (draft: ObjectBody) => void;
  readOnly: boolean;
  /** The saved object; undefined while creating. */
  saved: ObjectViewOf[K] | undefined;
}

export const textOf = (value: unknown): string => (typeof value === 'string' ? value : '');
export const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const recordOf = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
