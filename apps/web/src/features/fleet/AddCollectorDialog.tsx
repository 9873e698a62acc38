import { useState } from 'react';
import { Dialog } from '../../components/Dialog.tsx';
import { AlloySetup } from './AlloySetup.tsx';
import { InstallerSetup } from './InstallerSetup.tsx';

type Kind = 'alloy' | 'opamp' | 'managed';

const kinds: { kind: Kind; title: string; description: string }[] = [
  {
    kind: 'alloy',
    title: 'Grafana Alloy',
    description: 'Alloy pulls its configuration through remotecfg. You get a block to paste into its config.',
  },
  {
    kind: 'opamp',
    title: 'OpAMP (otelcol-contrib)',
    description: 'The OpenTelemetry Collector with an OpAMP supervisor. You get a one-line installer.',
  },
  {
    kind: 'managed',
    title: 'Managed Alloy (linkmesh-agent)',
    description: 'LinkMesh installs Alloy and an agent that keeps it running. You get a one-line installer.',
  },
];

interface AddCollectorDialogProps {
  /** A collector (or token) now exists server-side: the list may refresh behind the dialog. */
  onCreated: () => void;
  onClose: () => void;
}

/** Step 1 picks the collector kind; step 2 creates it and shows its credential once. */
export function AddCollectorDialog({ onCreated, onClose }: AddCollectorDialogProps) {
  const [kind, setKind] = useState<Kind>();

  return (
    <Dialog title={kind === undefined ? 'Add collector' : `Add ${title(kind)}`} onClose={onClose} wide>
      {kind === undefined && (
        <div className="choices" role="group" aria-label="Collector kind">
          {kinds.map((choice) => (
            <button key={choice.kind} type="button" className="choice" onClick={() => setKind(choice.kind)}>
              <span className="choice-title">{choice.title}</span>
              <span className="choice-description">{choice.description}</span>
            </button>
          ))}
        </div>
      )}
      {kind === 'alloy' && <AlloySetup onCreated={onCreated} onDone={onClose} />}
      {(kind === 'opamp' || kind === 'managed') && (
        <InstallerSetup installer={kind} onCreated={onCreated} onDone={onClose} />
      )}
    </Dialog>
  );
}

const title = (kind: Kind) => kinds.find((choice) => choice.kind === kind)?.title ?? kind;
