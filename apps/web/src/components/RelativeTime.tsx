import { useEffect, useState } from 'react';
import { dateTime, missing, relativeTime } from './format.ts';

/** Re-renders every `everySeconds` so relative times stay true while the page is open. */
export function useNowMs(everySeconds = 15): number {
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNowMs(Date.now()), everySeconds * 1000);
    return () => window.clearInterval(timer);
  }, [everySeconds]);
  return nowMs;
}

/** "5 minutes ago" with the exact local time as a tooltip; "—" for null. */
export function RelativeTime({ iso }: { iso: string | null }) {
  const nowMs = useNowMs();
  if (iso === null) return <span>{missing}</span>;
  return (
    <time dateTime={iso} title={dateTime(iso)}>
      {relativeTime(iso, nowMs)}
    </time>
  );
}
