import assert from 'node:assert/strict';
import { parse } from 'yaml';

type OtelConfig = {
  receivers?: Record<string, unknown>;
  exporters?: Record<string, unknown>;
  service?: { pipelines?: Record<string, { receivers?: string[]; exporters?: string[] }> };
};

/**
 * Asserts that a delivered OTel config is the operator's fleet default — every section of it as
 * written — plus LinkMesh's host source pushing to `externalUrl` with a telemetry token.
 */
export function assertFleetDefaultWithHostSource(
  delivered: string,
  fleetDefault: string,
  externalUrl: string,
): void {
  const got = parse(delivered) as OtelConfig;
  const wanted = parse(fleetDefault) as OtelConfig;
  for (const section of ['receivers', 'exporters'] as const)
    for (const [id, value] of Object.entries(wanted[section] ?? {}))
      assert.deepEqual(got[section]?.[id], value, `${section}.${id} as the operator wrote it`);
  for (const [id, value] of Object.entries(wanted.service?.pipelines ?? {}))
    assert.deepEqual(got.service?.pipelines?.[id], value, `pipeline ${id} as the operator wrote it`);
  const host = got.service?.pipelines?.['metrics/linkmesh_host'];
  assert.deepEqual(host?.receivers, ['hostmetrics/linkmesh']);
  assert.deepEqual(host.exporters, ['otlphttp/linkmesh']);
  const exporter = got.exporters?.['otlphttp/linkmesh'] as {
    endpoint: string;
    headers: Record<string, string>;
  };
  assert.equal(exporter.endpoint, externalUrl);
  assert.match(exporter.headers.Authorization ?? '', /^Bearer lmtt_[A-Za-z0-9_-]{43}$/);
}
