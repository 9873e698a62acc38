import type { PipelineObjectKind } from '@linkmesh/contracts/pipelines-api';
import { objectsPath } from '../../app/router.ts';
import { Link } from '../../components/Link.tsx';
import { kindLabels, kindOrder } from './object-kinds.ts';

/** The five kinds of the Pipelines section, as tabs over its pages. */
export function PipelinesNav({ current }: { current: PipelineObjectKind }) {
  return (
    <nav aria-label="Pipeline objects" className="section-nav">
      <ul>
        {kindOrder.map((kind) => (
          <li key={kind}>
            <Link href={objectsPath(kind)} aria-current={kind === current ? 'page' : undefined}>
              {kindLabels[kind].plural}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
