import {
  alloyComponents,
  currentAlloyVersion,
  currentOtelcolVersion,
  otelcolContribComponents,
  type OtelComponentKind,
} from './known-components.ts';
import { describeWindows, inWindows, parseVersion, versionOf, type Version } from './version.ts';

/** Questions about the known-components data, for renderers and structural checks. */

/** The collector's reported version, or the current release when it reported none (or garbage). */
export function effectiveVersion(runtime: 'otelcol' | 'alloy', reported: string | undefined): Version {
  const parsed = reported === undefined ? undefined : parseVersion(reported);
  return parsed ?? versionOf(runtime === 'otelcol' ? currentOtelcolVersion : currentAlloyVersion);
}

export function otelcolHas(kind: OtelComponentKind, type: string, version: Version): boolean {
  const windows = otelcolContribComponents[kind][type];
  return windows !== undefined && inWindows(version, windows);
}

export function alloyHas(component: string, version: Version): boolean {
  const windows = alloyComponents[component];
  return windows !== undefined && inWindows(version, windows);
}

/** Why a component is missing, for refusals and check failures. */
export function otelcolMissing(kind: OtelComponentKind, type: string): string {
  const windows = otelcolContribComponents[kind][type];
  return windows === undefined
    ? `otelcol-contrib ships no ${kind} "${type}"`
    : `the ${kind} "${type}" ships only in otelcol-contrib ${describeWindows(windows)}`;
}

export function alloyMissing(component: string): string {
  const windows = alloyComponents[component];
  return windows === undefined
    ? `Alloy ships no component ${component}`
    : `${component} ships only in Alloy ${describeWindows(windows)}`;
}
