import type {
  AuditStore,
  RoleStore,
  ServiceAccountStore,
  SettingStore,
  UserStore,
} from '../auth/auth.store.ts';
import type { CollectorStore, EventStore } from '../fleet/collector.store.ts';
import type { ManagedAgentStore } from '../managed/managed-agent.types.ts';
import type { OpampAgentStore } from '../opamp/opamp-agent.types.ts';
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
