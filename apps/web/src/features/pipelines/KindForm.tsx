import type { CatalogueView, PipelineObjectKind } from '@linkmesh/contracts/pipelines-api';
import type { ObjectViewOf } from '../../api/pipelines.api.ts';
import type { ObjectFormProps } from './forms/form-props.ts';
import { GroupForm } from './forms/GroupForm.tsx';
import { PipelineForm } from './forms/PipelineForm.tsx';
import { RouteForm } from './forms/RouteForm.tsx';
import { TypedConfigForm } from './forms/TypedConfigForm.tsx';
import type { ObjectIndex } from './object-index.hook.ts';

/** The form of `kind`, given what the forms pick from (catalogue types, other objects). */
export function KindForm({
  kind,
  catalogue,
  index,
  ...props
}: ObjectFormProps & { kind: PipelineObjectKind; catalogue: CatalogueView; index: ObjectIndex }) {
  switch (kind) {
    case 'source':
      return (
        <TypedConfigForm
          {...props}
          saved={props.saved as ObjectViewOf['source'] | undefined}
          entries={catalogue.sources}
          kindLabel="source"
        />
      );
    case 'destination':
      return (
        <TypedConfigForm
          {...props}
          saved={props.saved as ObjectViewOf['destination'] | undefined}
          entries={catalogue.destinations}
          kindLabel="destination"
        />
      );
    case 'pipeline':
      return (
        <PipelineForm
          {...props}
          saved={props.saved as ObjectViewOf['pipeline'] | undefined}
          processors={catalogue.processors}
        />
      );
    case 'route':
      return <RouteForm {...props} saved={props.saved as ObjectViewOf['route'] | undefined} index={index} />;
    case 'group':
      return <GroupForm {...props} saved={props.saved as ObjectViewOf['group'] | undefined} />;
  }
}
