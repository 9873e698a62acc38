import type {
  TopologyDiagnosis,
  TopologyEdgeView,
  TopologyNodeView,
  TopologyView,
} from '@linkmesh/contracts/topology-api';

/** Test factories for topology API views (unit tests only). */

export function nodeView(
  overrides: Partial<TopologyNodeView> & Pick<TopologyNodeView, 'id'>,
): TopologyNodeView {
  return {
    kind: 'source',
    componentId: overrides.id,
    name: overrides.id,
    type: 'otlp',
    signals: ['logs'],
    recordsPerSec: null,
    errorsPerSec: null,
    sparkline: [],
    errorSparkline: [],
    flags: ['no_data'],
    ...overrides,
  };
}

export function edgeView(
  from: string,
  to: string,
  overrides: Partial<TopologyEdgeView> = {},
): TopologyEdgeView {
  const signal = overrides.signal ?? 'logs';
  return {
    id: `${from}>${to}>${signal}`,
    from,
    to,
    signal,
    recordsPerSec: null,
    errorsPerSec: null,
    sparkline: [],
    ...overrides,
  };
}

export function diagnosisView(overrides: Partial<TopologyDiagnosis> = {}): TopologyDiagnosis {
  return {
    code: 'ok',
    numbers: 'all',
    message: 'Numbers are flowing.',
    nextStep: null,
    lastAuthRejection: null,
    mismatches: [],
    ...overrides,
  };
}

export function topologyView(overrides: Partial<TopologyView> = {}): TopologyView {
  return {
    collectorId: 'c1',
    configHash: null,
    source: 'rendered',
    generatedAt: '2026-01-01T00:00:00.000Z',
    windowSeconds: 900,
    nodes: [],
    edges: [],
    diagnosis: diagnosisView(),
    ...overrides,
  };
}

/** source → step 1 → step 2 → destination of one route, with numbers on every element. */
export function routedView(): TopologyView {
  return topologyView({
    nodes: [
      nodeView({ id: 'src', recordsPerSec: 100, errorsPerSec: 0, flags: [], sparkline: [90, 100] }),
      nodeView({
        id: 'step1',
        kind: 'processor',
        type: 'filter',
        routeId: 'r1',
        stepIndex: 1,
        incomingPerSec: 100,
        recordsPerSec: 40,
        dropPercent: 60,
        errorsPerSec: 0,
        flags: [],
      }),
      nodeView({
        id: 'step2',
        kind: 'processor',
        type: 'batch',
        routeId: 'r1',
        stepIndex: 2,
        incomingPerSec: 40,
        recordsPerSec: 40,
        dropPercent: 0,
        errorsPerSec: 0,
        flags: [],
      }),
      nodeView({
        id: 'dst',
        kind: 'destination',
        type: 'otlphttp',
        recordsPerSec: 38,
        errorsPerSec: 2,
        queueSize: 900,
        queueCapacity: 1000,
        flags: ['errors', 'backpressure'],
      }),
    ],
    edges: [
      edgeView('src', 'step1', { recordsPerSec: 100, sparkline: [90, 100] }),
      edgeView('step1', 'step2', { recordsPerSec: 40 }),
      edgeView('step2', 'dst', { recordsPerSec: 38, errorsPerSec: 2 }),
    ],
  });
}
