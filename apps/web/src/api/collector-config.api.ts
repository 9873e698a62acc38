import { apiRequest } from './client.ts';

/*
 * The shapes of `GET /collectors/{id}/config` and its versions, as
 * apps/server/src/protocols/http/routes/collector-config.routes.ts answers them (the server
 * declares no contract type for them yet; move these to @linkmesh/contracts when it does).
 */

export type ConfigFormat = 'otel-yaml' | 'alloy';

export interface CollectorConfigView {
  collectorId: string;
  rendered: { format: ConfigFormat; version: number; content: string; hash: string } | null;
  applyStatus: {
    status: 'APPLYING' | 'APPLIED' | 'FAILED';
    version: number;
    hash: string;
    /** Whether the status is about the version LinkMesh serves now. */
    current: boolean;
    errorMessage: string | null;
    at: string | null;
  } | null;
  /** What the collector reports running (secrets redacted), OpAMP or remotecfg. */
  effectiveConfig: string | null;
  health: unknown;
  agent: unknown;
}

export interface ConfigVersionView {
  version: number;
  hash: string;
  format: ConfigFormat;
  author: string;
  reason: string;
  createdAt: string;
  current: boolean;
  /** Unified diff against the previous version. */
  diff: string;
}

export interface ConfigVersionPage {
  items: ConfigVersionView[];
  /** Pass as `before` for older versions; null on the last page. */
  nextBefore: number | null;
}

const base = (id: string) => `/collectors/${encodeURIComponent(id)}/config`;

export function getCollectorConfig(id: string): Promise<CollectorConfigView> {
  return apiRequest<CollectorConfigView>(base(id));
}

/** Newest first, `limit` per page. */
export function listConfigVersions(id: string, before?: number, limit = 50): Promise<ConfigVersionPage> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (before !== undefined) query.set('before', String(before));
  return apiRequest<ConfigVersionPage>(`${base(id)}/versions?${query}`);
}

/** Serves `version` again (as a new version) until the next change of the collector's objects. */
export function rollbackConfig(
  id: string,
  version: number,
): Promise<{ version: number; hash: string; reason: string }> {
  return apiRequest(`${base(id)}/rollback`, { method: 'POST', json: { version } });
}
