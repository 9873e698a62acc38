import { destinationEntries } from './destinations.ts';
import { processorEntries } from './processors.ts';
import { sourceEntries } from './sources.ts';
import type { DestinationEntry, ProcessorEntry, SourceEntry } from './types.ts';

/** The catalogue: every type LinkMesh can render, by kind and OTel type name. */

export const sourceTypes = sourceEntries.map((e) => e.type) as [string, ...string[]];
export const processorTypes = processorEntries.map((e) => e.type) as [string, ...string[]];
export const destinationTypes = destinationEntries.map((e) => e.type) as [string, ...string[]];

const byType = <E extends { type: string }>(entries: readonly E[]) =>
  new Map(entries.map((e) => [e.type, e]));

const sources = byType<SourceEntry<unknown>>(sourceEntries);
const processors = byType<ProcessorEntry<unknown>>(processorEntries);
const destinations = byType<DestinationEntry<unknown>>(destinationEntries);

export const sourceEntry = (type: string): SourceEntry<unknown> | undefined => sources.get(type);
export const processorEntry = (type: string): ProcessorEntry<unknown> | undefined => processors.get(type);
export const destinationEntry = (type: string): DestinationEntry<unknown> | undefined =>
  destinations.get(type);

export const catalogue = {
  sources: sourceEntries as readonly SourceEntry<unknown>[],
  processors: processorEntries as readonly ProcessorEntry<unknown>[],
  destinations: destinationEntries as readonly DestinationEntry<unknown>[],
} as const;

export type { DestinationEntry, ProcessorEntry, SourceEntry } from './types.ts';
