import type { ComponentKind, CounterName, Signal } from '../../domain/telemetry/self-metric-names.ts';
import type { ComponentSample } from '../../domain/telemetry/self-metrics.translator.ts';
import { throughputCounters } from '@linkmesh/contracts/throughput';

/**
 * Packs the component samples of one push into one compact JSON text and back. Each sample is
 * an array: `[kind, componentId, signal, startTimeUnixMs, timeUnixMs, …11 counters]`, with
 * `null` for a counter the collector did not report (absent stays absent, 0 stays 0). Values
 * are stored exactly as received.
 *
 * @example encodeSamples([{ kind: 'receiver', componentId: 'otlp', signal: 'traces', counters: { accepted: 5 }, startTimeUnixMs: 1, timeUnixMs: 2 }])
 * // → '[["r","otlp","traces",1,2,5,null,null,null,null,null,null,null,null,null,null]]'
 */
// The canonical order is shared with the API and UI; storage depends on it never changing.
const counterOrder: readonly CounterName[] = throughputCounters;
const kindCode: Record<ComponentKind, string> = { receiver: 'r', processor: 'p', exporter: 'e' };
const kindOf: Record<string, ComponentKind> = { r: 'receiver', p: 'processor', e: 'exporter' };
const signals = new Set<string>(['traces', 'metrics', 'logs', 'profiles', '']);

export function encodeSamples(samples: readonly ComponentSample[]): string {
  return JSON.stringify(
    samples.map((s) => [
      kindCode[s.kind],
      s.componentId,
      s.signal,
      s.startTimeUnixMs,
      s.timeUnixMs,
      ...counterOrder.map((name) => s.counters[name] ?? null),
    ]),
  );
}

/** Unpacks what `encodeSamples` wrote; entries of an unexpected shape are skipped, not fatal. */
export function decodeSamples(text: string): ComponentSample[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) return [];
  const samples: ComponentSample[] = [];
  for (const entry of value as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 5 + counterOrder.length) continue;
    const [kind, componentId, signal, startTimeUnixMs, timeUnixMs] = entry as unknown[];
    const componentKind = typeof kind === 'string' ? kindOf[kind] : undefined;
    if (
      !componentKind ||
      typeof componentId !== 'string' ||
      typeof signal !== 'string' ||
      !signals.has(signal)
    )
      continue;
    if (typeof startTimeUnixMs !== 'number' || typeof timeUnixMs !== 'number') continue;
    const counters: Partial<Record<CounterName, number>> = {};
    counterOrder.forEach((name, i) => {
      const v: unknown = entry[5 + i];
      if (typeof v === 'number') counters[name] = v;
    });
    samples.push({
      kind: componentKind,
      componentId,
      signal: signal as Signal,
      startTimeUnixMs,
      timeUnixMs,
      counters,
    });
  }
  return samples;
}
