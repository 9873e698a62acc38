import type { ReactNode } from 'react';

function Entry({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/**
 * "Reading throughput on the canvas": element by element, what each number, sparkline, queue
 * bar and flag means and how it is computed. Kept in step with the mapping (canvas.map.ts) and
 * the server's rate rules (docs/architecture.md §4).
 */
export function ThroughputLegend({ fleet = false }: { fleet?: boolean }) {
  return (
    <section className="legend" aria-labelledby="legend-title">
      <h2 id="legend-title">Reading throughput on the canvas</h2>
      <p>
        Every number comes from the collector’s own self-telemetry (otelcol-contrib’s <code>otelcol_*</code>{' '}
        counters, Alloy’s <code>prometheus.exporter.self</code>), pushed to LinkMesh over OTLP. Rates are{' '}
        <strong>records per second</strong> — spans, metric points or log records, not bytes — computed when
        you look, from two consecutive samples of the cumulative counters (pushed every ~30 s). The first
        sample after a restart gives no rate, so there are no spikes. Labels change in place as new samples
        land.
      </p>
      {fleet ? <FleetEntries /> : <CollectorEntries />}
      <h3>Colours and flags</h3>
      <dl>
        <Entry term="Red tint, errors flag">
          Refused (receivers, steps) or send_failed (destinations) records rose in the window.
        </Entry>
        <Entry term="Amber tint, queue flag">
          The destination’s sending queue is at least 80 % full: back-pressure.
        </Entry>
        <Entry term="restarted flag">
          The counters reset in the window (a restart); no rate is computed across the reset.
        </Entry>
        <Entry term="Grey, “—”">
          No rate could be computed; the line under it says why, and the banner above the canvas gives the
          collector’s diagnosis (the checks of “Self-telemetry troubleshooting”).
        </Entry>
      </dl>
    </section>
  );
}

function CollectorEntries() {
  return (
    <>
      <h3>Elements</h3>
      <dl>
        <Entry term="Source (receiver)">
          <strong>accepted</strong>: <code>otelcol_receiver_accepted_*</code> records/s, all signals summed.{' '}
          <strong>errors/s</strong>: <code>otelcol_receiver_refused_*</code> plus failed.
        </Entry>
        <Entry term="Step (processor)">
          <strong>out</strong>: <code>otelcol_processor_outgoing_items</code> records/s; <strong>in</strong>:{' '}
          <code>otelcol_processor_incoming_items</code>; <strong>drop %</strong> = dropped ÷ in × 100, from
          the step’s <code>otelcol_processor_dropped_*</code> counter, or (in − out) ÷ in on collectors that
          no longer report one (v0.111 on).
        </Entry>
        <Entry term="Destination (exporter)">
          <strong>sent</strong>: <code>otelcol_exporter_sent_*</code> records/s; <strong>errors/s</strong>:{' '}
          <code>otelcol_exporter_send_failed_*</code>. <strong>Queue bar</strong>:{' '}
          <code>otelcol_exporter_queue_size</code> against <code>otelcol_exporter_queue_capacity</code> (“250
          / 1,000”): amber above 50 %, red from 90 %; “/ ?” when the capacity is not reported.
        </Entry>
        <Entry term="Sparkline">
          The element’s main rate over the last 15 minutes, one point per 30 s; a break is a stretch without a
          rate, never a zero. A red one under errors/s plots the errors.
        </Entry>
        <Entry term="Edge">
          Records/s along the connection, its signals summed: what the upstream element passed on (an element
          hands all of its output to each element it feeds). Into a destination, the destination’s card says
          what it sent and what failed; the edges into it turn red when its sends fail.
        </Entry>
        <Entry term="Route edge (source → a route’s first step)">
          <strong>offered</strong>: what the source accepted and handed to the route; <strong>matched</strong>
          : what the route’s first step passed on. The gap is what the route did not take.
        </Entry>
      </dl>
    </>
  );
}

function FleetEntries() {
  return (
    <>
      <h3>Elements</h3>
      <dl>
        <Entry term="Collector">
          <strong>sent</strong>: its exporters’ sent records/s; <strong>in</strong>: its receivers’ accepted
          records/s; <strong>errors/s</strong>: refused plus send_failed.
        </Entry>
        <Entry term="Destination">
          <strong>received</strong>: what every collector sent to it, records/s.
        </Entry>
        <Entry term="Edge">
          Records/s from a collector to a destination it exports to, or to another collector’s OTLP source it
          forwards to. Open a collector to see its pipeline.
        </Entry>
      </dl>
    </>
  );
}
