import type { CollectorView } from '@linkmesh/contracts/api';
import { missing, perSecond } from '../../components/format.ts';

type RateField = 'recordsInPerSec' | 'recordsOutPerSec' | 'errorsPerSec';

const exact = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

const units: Record<RateField, string> = {
  recordsInPerSec: 'records/s accepted by receivers',
  recordsOutPerSec: 'records/s sent by exporters',
  errorsPerSec: 'records/s refused by receivers or failed by exporters',
};

/**
 * Why a rate is missing, as the cell's tooltip.
 *
 * @example absentWhy({ ratesMissingReason: 'needs_two_samples' }, 'recordsInPerSec') // "Needs two samples: …"
 */
export function absentWhy(collector: Pick<CollectorView, 'ratesMissingReason'>, field: RateField): string {
  switch (collector.ratesMissingReason) {
    case 'no_self_telemetry':
      return 'No self-telemetry yet';
    case 'needs_two_samples':
      return 'Needs two samples: a rate comes from two pushes (and none spans a restart)';
    case 'stale':
      return 'No self-telemetry in the last few push intervals';
    case null:
      return field === 'recordsInPerSec' ? 'No receiver reported a rate' : 'No exporter reported a rate';
  }
}

/** A compact rate ("1.2k/s"), exact in the tooltip; "—" with the reason when absent. */
export function RateCell({ collector, field }: { collector: CollectorView; field: RateField }) {
  const value = collector[field];
  if (value === null) {
    const why = absentWhy(collector, field);
    return (
      <td className="num rate-absent" title={why}>
        <span aria-hidden="true">{missing}</span>
        <span className="visually-hidden">{why}</span>
      </td>
    );
  }
  const tone = value === 0 ? ' rate-zero' : field === 'errorsPerSec' ? ' rate-failing' : '';
  return (
    <td className={`num${tone}`} title={`${exact.format(value)} ${units[field]}`}>
      {perSecond(value)}
    </td>
  );
}
