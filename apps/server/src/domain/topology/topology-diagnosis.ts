import type {
  DiagnosisCode,
  NamingMismatchView,
  TopologyDiagnosis,
  TopologyNodeView,
} from '@linkmesh/contracts/topology-api';
import type { ManagementMode, Runtime } from '../fleet/collector.types.ts';
import type { ComponentView } from '../telemetry/throughput.query.ts';

/**
 * Why a collector's canvas has no numbers (issue #12 item 5): the checks of the "Self-telemetry
 * troubleshooting" page, answered from what the server knows, in the page's order; the first
 * that fails is the diagnosis. Pure: the service gathers the facts.
 */
export interface DiagnosisFacts {
  readonly runtime: Runtime;
  readonly mode: ManagementMode;
  readonly nowMs: number;
  readonly windowMs: number;
  /** An `own_metrics_offered` event exists (OpAMP collectors only get one). */
  readonly ownMetricsOffered: boolean;
  /** Server time of the last committed self-telemetry push, whatever it carried. */
  readonly lastTelemetryAtMs: number | null;
  /** The collector has ever reported host metrics. */
  readonly hostMetricsSeen: boolean;
  /** The self-telemetry series received in the window. */
  readonly components: readonly ComponentView[];
  /** The canvas elements with their joined rates. */
  readonly nodes: readonly TopologyNodeView[];
  readonly mismatches: readonly NamingMismatchView[];
  readonly lastAuthRejection: { readonly reason: string; readonly atMs: number } | null;
}

type Finding = Pick<TopologyDiagnosis, 'code' | 'message' | 'nextStep'>;

/**
 * @example
 * diagnose({ ...facts, lastTelemetryAtMs: null }).code // 'no_push_received'
 */
export function diagnose(facts: DiagnosisFacts): TopologyDiagnosis {
  const measured = facts.nodes.filter((n) => n.recordsPerSec !== null).length;
  const numbers: TopologyDiagnosis['numbers'] =
    facts.nodes.length > 0 && measured === facts.nodes.length ? 'all' : measured > 0 ? 'some' : 'none';
  const finding = firstFailingCheck(facts, numbers);
  return {
    ...finding,
    numbers,
    lastAuthRejection: facts.lastAuthRejection && {
      reason: facts.lastAuthRejection.reason,
      at: new Date(facts.lastAuthRejection.atMs).toISOString(),
    },
    mismatches: [...facts.mismatches],
  };
}

function firstFailingCheck(facts: DiagnosisFacts, numbers: TopologyDiagnosis['numbers']): Finding {
  if (facts.nodes.length === 0) return noPipelines;
  if (numbers === 'none') {
    const transport = transportCheck(facts);
    if (transport) return transport;
  }
  if (facts.components.length === 0) {
    return facts.hostMetricsSeen ? idle(numbers, facts) : noComponentMetrics(facts.runtime);
  }
  if (facts.mismatches.length > 0) return namingMismatch(facts.mismatches);
  if (numbers === 'all') return ok;
  const unrated = facts.components.filter((c) => c.recordsPerSec === null);
  if (unrated.some((c) => c.restartsInWindow > 0)) return countersReset;
  if (unrated.length > 0 && unrated.every((c) => c.samples < 2)) return oneSampleOnly;
  return idle(numbers, facts);
}

/** Checks 1–3: was the collector told where to push, and does anything arrive? */
function transportCheck(facts: DiagnosisFacts): Finding | undefined {
  if (facts.mode === 'opamp' && !facts.ownMetricsOffered) {
    return finding(
      'no_own_metrics_offer',
      'This collector never got an own_metrics offer (no own_metrics_offered event: it enrolled before offers existed, or its agent does not report the ReportsOwnMetrics capability), so it does not know where to push its self-telemetry (Check 1).',
      'Re-enrol it: stop the collector, deregister it here (Collectors → … → Deregister), mint a fresh enrollment token and re-run the install one-liner.',
    );
  }
  const rejection = facts.lastAuthRejection
    ? ` The last push with one of its credentials was refused: ${facts.lastAuthRejection.reason} (${new Date(facts.lastAuthRejection.atMs).toISOString()}).`
    : '';
  const reEnrol = facts.lastAuthRejection
    ? 'Re-enrol the collector to mint a fresh bearer (deregister it, mint an enrollment token, re-run the install one-liner).'
    : undefined;
  if (facts.lastTelemetryAtMs === null) {
    return finding(
      'no_push_received',
      `No self-telemetry push from this collector has ever reached the server (Checks 2–3).${rejection}`,
      reEnrol ?? pushCheckStep(facts.runtime),
    );
  }
  const ageMs = facts.nowMs - facts.lastTelemetryAtMs;
  if (ageMs > facts.windowMs) {
    return finding(
      'no_push_received',
      `The last self-telemetry push arrived ${minutes(ageMs)} ago, before this window (Checks 2–3).${rejection}`,
      reEnrol ?? pushCheckStep(facts.runtime),
    );
  }
  return undefined;
}

function pushCheckStep(runtime: Runtime): string {
  const logs =
    runtime === 'alloy'
      ? "sudo journalctl -u alloy -f | grep -i 'otelcol.exporter.otlphttp'"
      : "sudo journalctl -u otelcol-contrib -f | grep -i 'metrics exporter'";
  return `On the host, look for OTLP export activity every ~30 s (${logs}), and check that it reaches <server>/v1/metrics: a POST without a valid bearer should answer 401.`;
}

function noComponentMetrics(runtime: Runtime): Finding {
  return finding(
    'no_component_metrics',
    'Pushes arrive but carry neither component metrics (otelcol_receiver_accepted_* …) nor host metrics.',
    runtime === 'alloy'
      ? 'Check that the bootstrap config (/etc/alloy/config.alloy) still has its prometheus.exporter.self and prometheus.scrape blocks.'
      : "Check that the collector's service.telemetry.metrics pushes to LinkMesh, not only to another endpoint.",
  );
}

function idle(numbers: TopologyDiagnosis['numbers'], facts: DiagnosisFacts): Finding {
  if (numbers === 'none') {
    return finding(
      'pipeline_idle',
      'Host metrics arrive but no component metrics: nothing has flowed through the pipeline in this window.',
      'Push some test data through the collector’s pipeline and wait 60 s (a rate needs two samples about 30 s apart).',
    );
  }
  const silent = facts.nodes.filter((n) => n.recordsPerSec === null).length;
  return finding(
    'pipeline_idle',
    `${silent} of ${facts.nodes.length} elements have no numbers: nothing flowed through them in this window.`,
    'If you expect data there, send some through those sources and wait 60 s.',
  );
}

function namingMismatch(mismatches: readonly NamingMismatchView[]): Finding {
  const unknown = mismatches.filter((m) => m.detail === 'unknown component');
  const named = mismatches
    .slice(0, 3)
    .map((m) => `${m.detail} ${m.componentId}`)
    .join(', ');
  const more = mismatches.length > 3 ? ` and ${mismatches.length - 3} more` : '';
  return finding(
    'naming_mismatch',
    `Self-telemetry names components this collector's config does not have (component_naming_mismatch): ${named}${more}.`,
    unknown.length > 0
      ? 'The collector runs a config LinkMesh does not know (a manual edit, or an older config still active because reload did not fire): restart the collector.'
      : 'It still pushes for components that left its config (e.g. a deleted destination); those rows clear by the 24 h TTL. Restart the collector if it keeps pushing them.',
  );
}

const noPipelines = finding(
  'no_pipelines',
  'Nothing to draw: no route targets this collector and the config it runs has no pipeline LinkMesh can read.',
  'Create a route that targets this collector, or a group its labels match (Pipelines → Routes).',
);
const oneSampleOnly = finding(
  'one_sample_only',
  'Component metrics have arrived only once so far: a rate needs two samples, about 30 s apart.',
  'Wait for the next push (about 30 s).',
);
const countersReset = finding(
  'counters_reset',
  'Counters reset in this window (the collector restarted): the first sample after a restart yields no rate, so there is no spike.',
  'Wait about 30 s for the next sample; the rates resume by themselves.',
);
const ok = finding('ok', 'Numbers are flowing on every element.', null);

function finding(code: DiagnosisCode, message: string, nextStep: string | null): Finding {
  return { code, message, nextStep };
}

function minutes(ms: number): string {
  const total = Math.round(ms / 60_000);
  return total < 120 ? `${total} min` : `${Math.round(total / 60)} h`;
}
