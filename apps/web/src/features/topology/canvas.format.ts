import type { TopologyFlag } from '@linkmesh/contracts/topology-api';
import { compact, missing, quantity } from '../../components/format.ts';
import type { CanvasNodeKind } from './canvas.types.ts';

/** "1.2k records/s", or "— records/s" (the caller says why it is missing). */
export const records = (value: number | null): string =>
  `${value === null ? missing : compact(value)} records/s`;

/** "3 errors/s", or "— errors/s". */
export const errors = (value: number | null): string =>
  `${value === null ? missing : compact(value)} errors/s`;

/** "12.5 %", or "— %". */
export const percentText = (value: number | null): string =>
  value === null ? `${missing} %` : quantity(value, ' %');

export const kindLabel: Record<CanvasNodeKind, string> = {
  source: 'Source',
  processor: 'Step',
  destination: 'Destination',
  collector: 'Collector',
  'shared-destination': 'Destination',
};

/** What each flag means, for its chip's tooltip and the legend. */
export const flagText: Record<TopologyFlag, { label: string; meaning: string }> = {
  errors: { label: 'errors', meaning: 'refused or send_failed records rose in the window' },
  backpressure: { label: 'queue', meaning: 'the sending queue is at least 80 % full' },
  no_data: { label: 'no data', meaning: 'no rate from self-telemetry in the window' },
  restarted: { label: 'restarted', meaning: 'counters reset in the window; no rate across the reset' },
};
