/**
 * Collector versions as LinkMesh compares them: `major.minor.patch`, an optional leading `v`, any
 * pre-release or build suffix ignored (`v1.19.0-rc.1` counts as 1.19.0, which is what a release
 * candidate ships). Ranges are half-open: `since` inclusive, `until` exclusive.
 */

export type Version = readonly [major: number, minor: number, patch: number];

export interface VersionWindow {
  /** First version that has it (inclusive); absent = as far back as the data goes. */
  readonly since?: string;
  /** First version that no longer has it (exclusive); absent = still shipped. */
  readonly until?: string;
}

/**
 * @example parseVersion('v0.131.0') // [0, 131, 0]
 * @example parseVersion('1.19.0-rc.1') // [1, 19, 0]
 * @example parseVersion('latest') // undefined
 */
export function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/.exec(text.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? '0')];
}

/** Parses a version this module's own data holds; a malformed literal is a programming error. */
export function versionOf(text: string): Version {
  const version = parseVersion(text);
  if (!version) throw new Error(`malformed version literal ${JSON.stringify(text)}`);
  return version;
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function formatVersion(version: Version): string {
  return version.join('.');
}

/** True when `version` falls inside any of the windows. */
export function inWindows(version: Version, windows: readonly VersionWindow[]): boolean {
  return windows.some(
    (w) =>
      (w.since === undefined || compareVersions(version, versionOf(w.since)) >= 0) &&
      (w.until === undefined || compareVersions(version, versionOf(w.until)) < 0),
  );
}

/**
 * @example describeWindows([{ until: '0.122.0' }, { since: '0.123.0', until: '0.131.0' }])
 * // '< 0.122.0, 0.123.0 to < 0.131.0'
 */
export function describeWindows(windows: readonly VersionWindow[]): string {
  return windows
    .map((w) => {
      if (w.since !== undefined && w.until !== undefined) return `${w.since} to < ${w.until}`;
      if (w.since !== undefined) return `>= ${w.since}`;
      if (w.until !== undefined) return `< ${w.until}`;
      return 'every version';
    })
    .join(', ');
}
