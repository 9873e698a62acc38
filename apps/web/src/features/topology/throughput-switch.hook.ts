import { useCallback, useState } from 'react';

const storageKey = 'linkmesh.topology.throughput';

/**
 * The toolbar's throughput switch, on unless the operator turned it off; the choice is kept in
 * this browser so every canvas opens the way it was last read.
 */
export function useThroughputSwitch(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => window.localStorage.getItem(storageKey) !== 'off');
  const change = useCallback((next: boolean) => {
    window.localStorage.setItem(storageKey, next ? 'on' : 'off');
    setOn(next);
  }, []);
  return [on, change];
}
