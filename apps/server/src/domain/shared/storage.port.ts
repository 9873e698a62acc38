import type {
  AuditStore,
  RoleStore,
  ServiceAccountStore,
  SettingStore,
  UserStore,
} from '../auth/auth.store.ts';
import type { ConfigVersionStore } from '../collector-config/config-version.types.ts';
import type { CollectorStore, EventStore } from '../fleet/collector.store.ts';
import type { ManagedAgentStore } from '../managed/managed-agent.types.ts';
import type { OpampAgentStore } from '../opamp/opamp-agent.types.ts';
import type { PipelineObjectStore } from '../pipelines/pipeline-object.types.ts';
import type { ThroughputStore } from '../telemetry/throughput.store.ts';
import type { CredentialStore } from './credential.types.ts';

/** The stores one transaction (or the plain connection) offers. */
export interface Stores {
  readonly collectors: CollectorStore;
  readonly events: EventStore;
  readonly credentials: CredentialStore;
  readonly users: UserStore;
  readonly roles: RoleStore;
  readonly serviceAccounts: ServiceAccountStore;
  readonly audit: AuditStore;
  readonly settings: SettingStore;
  readonly throughput: ThroughputStore;
  readonly opampAgents: OpampAgentStore;
  readonly managedAgents: ManagedAgentStore;
  readonly configVersions: ConfigVersionStore;
  readonly pipelineObjects: PipelineObjectStore;
  /**
   * Runs `effect` once the work these stores belong to is committed: at the end of the
   * transaction (never, when it rolls back), or at once outside a transaction (each statement
   * commits by itself). For in-memory consequences — caches, live connections, listeners — that
   * must not run for a change that might still be undone.
   */
  afterCommit(effect: () => void): void;
}

/** Storage as the domain sees it: stores, transactions, health. Implemented for SQLite and PostgreSQL. */
export interface Storage extends Stores {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs `work` atomically; the stores it receives are bound to the transaction. */
  transaction<T>(work: (stores: Stores) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The name of one store. */
export type StoreName = Exclude<keyof Stores, 'afterCommit'>;

/** Just the stores a service uses (issue #10: no service is handed all of them). */
export type StoresOf<K extends StoreName> = Pick<Stores, K | 'afterCommit'>;

/**
 * Storage as one service sees it: its own stores, and transactions over just those. Every
 * service declares the stores it needs in its constructor, so what it can touch is in its type.
 *
 * @example
 * constructor(private readonly storage: StorageOf<'throughput'>) {}
 */
export type StorageOf<K extends StoreName> = StoresOf<K> & {
  transaction<T>(work: (stores: StoresOf<K>) => Promise<T>): Promise<T>;
};
