/** Colours per status live in styles.css (`.badge-<status>`). */
const labels: Record<string, string> = {
  connected: 'Connected',
  disconnected: 'Disconnected',
  stale: 'Stale',
  error: 'Error',
  pending: 'Pending',
  deregistered: 'Deregistered',
  active: 'Active',
  expired: 'Expired',
  used: 'Used',
  revoked: 'Revoked',
};

/** A coloured pill for a collector or token status; the text stays readable without colour. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{labels[status] ?? status}</span>;
}
