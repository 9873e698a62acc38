import { writeFileSync } from 'node:fs';

/**
 * Resets a process's peak resident set size (VmHWM) to its current RSS, so the next
 * `peakRssKiB()` is the peak of what follows, not of everything since start. Linux: writing 5 to
 * /proc/<pid>/clear_refs (allowed for our own children).
 */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}
