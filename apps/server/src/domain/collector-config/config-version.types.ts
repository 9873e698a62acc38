/** The text LinkMesh renders for a runtime. */
export type ConfigFormat = 'otel-yaml' | 'alloy';

/** Where a collector is with the version it should run (ARCHITECTURE §5). */
export type ApplyStatus = 'APPLYING' | 'APPLIED' | 'FAILED';

/** One rendered config of one collector, kept when it differed from the one before. */
export interface ConfigVersion {
  readonly collectorId: string;
  /** 1, 2, 3 … per collector. */
  readonly version: number;
  /** SHA-256 hex of the content as delivered (secrets in): the hash on the wire. */
  readonly hashHex: string;
  readonly format: ConfigFormat;
  /** The content with every secret as a placeholder (`${linkmesh:secret:<name>}`): safe at rest. */
  readonly template: string;
  /** Who caused it: an operator, `linkmesh:render` for automatic renders, `linkmesh:rollback`… */
  readonly author: string;
  readonly reason: string;
  /** Unified diff of the template against the previous version ('' for the first). */
  readonly diff: string;
  readonly createdAtMs: number;
}

export interface ConfigState {
  readonly collectorId: string;
  /** The version the collector should run. */
  readonly currentVersion: number;
  /** Hash of the last render from the objects; a rollback is kept until it changes. */
  readonly renderHash: string;
  readonly applyStatus: ApplyStatus;
  /** The version the last reported status is about (null before any report). */
  readonly applyVersion: number | null;
  /** The collector's error message for FAILED (redacted). */
  readonly applyError: string | null;
  readonly applyUpdatedAtMs: number | null;
}

export interface ConfigVersionStore {
  latest(collectorId: string): Promise<ConfigVersion | undefined>;
  get(collectorId: string, version: number): Promise<ConfigVersion | undefined>;
  /** The newest version of this collector delivered with this hash. */
  byHash(collectorId: string, hashHex: string): Promise<ConfigVersion | undefined>;
  /** Newest first, versions below `beforeVersion` when given. */
  list(collectorId: string, options: { limit: number; beforeVersion?: number }): Promise<ConfigVersion[]>;
  /** False when that version number exists already (another replica rendered it first). */
  insert(version: ConfigVersion): Promise<boolean>;
  state(collectorId: string): Promise<ConfigState | undefined>;
  /** The collector should now run `version` (status back to APPLYING). */
  setCurrent(collectorId: string, version: number, renderHash: string): Promise<void>;
  setApply(
    collectorId: string,
    apply: { status: ApplyStatus; version: number | null; error: string | null; atMs: number },
  ): Promise<void>;
}
