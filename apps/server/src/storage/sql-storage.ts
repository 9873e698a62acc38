import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Storage, Stores } from '../domain/shared/storage.port.ts';
import type { Database } from './schema.ts';
import {
  SqlAuditStore,
  SqlRoleStore,
  SqlServiceAccountStore,
  SqlSettingStore,
  SqlUserStore,
} from './sql/auth.sql-store.ts';
import { SqlCollectorStore } from './sql/collector.sql-store.ts';
import { SqlConfigVersionStore } from './sql/config-version.sql-store.ts';
import { SqlCredentialStore } from './sql/credential.sql-store.ts';
import { SqlEventStore } from './sql/event.sql-store.ts';
import { SqlManagedAgentStore } from './sql/managed-agent.sql-store.ts';
import { SqlOpampAgentStore } from './sql/opamp-agent.sql-store.ts';
import { SqlPipelineObjectStore } from './sql/pipeline-object.sql-store.ts';
import { SqlThroughputStore } from './sql/throughput.sql-store.ts';
import { SqliteThroughputStore } from './sql/throughput.sqlite-store.ts';

/**
 * The SQLite fast writer shares Kysely's single connection, so it may only run while that
 * connection is held: it is handed out inside transactions only.
 */
function storesOn(
  db: Kysely<Database>,
  dialect: 'sqlite' | 'postgres',
  sqliteHandleInTransaction: BetterSqlite3.Database | undefined,
  afterCommit: (effect: () => void) => void,
): Stores {
  return {
    afterCommit,
    collectors: new SqlCollectorStore(db, dialect),
    events: new SqlEventStore(db),
    credentials: new SqlCredentialStore(db),
    users: new SqlUserStore(db),
    roles: new SqlRoleStore(db),
    serviceAccounts: new SqlServiceAccountStore(db),
    audit: new SqlAuditStore(db),
    settings: new SqlSettingStore(db),
    throughput: sqliteHandleInTransaction
      ? new SqliteThroughputStore(db, sqliteHandleInTransaction)
      : new SqlThroughputStore(db, dialect),
    opampAgents: new SqlOpampAgentStore(db),
    managedAgents: new SqlManagedAgentStore(db),
    configVersions: new SqlConfigVersionStore(db),
    pipelineObjects: new SqlPipelineObjectStore(db),
  };
}

/**
 * The store set over one Kysely instance. The query code is shared by both dialects (Kysely
 * compiles it to each one's SQL); what differs — connection set-up, locking, pragmas — lives in
 * `open-storage.ts`.
 */
export class SqlStorage implements Storage {
  readonly collectors;
  readonly events;
  readonly credentials;
  readonly users;
  readonly roles;
  readonly serviceAccounts;
  readonly audit;
  readonly settings;
  readonly throughput;
  readonly opampAgents;
  readonly configVersions;
  readonly managedAgents;
  readonly pipelineObjects;
  /** Outside a transaction every statement has committed by the time it resolves. */
  readonly afterCommit = (effect: () => void): void => effect();

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: 'sqlite' | 'postgres',
    /** SQLite only: the raw handle for the hot-path writers that bypass the query builder. */
    private readonly sqliteHandle?: BetterSqlite3.Database,
    private readonly onClose: () => Promise<void> = () => Promise.resolve(),
  ) {
    const stores = storesOn(db, dialect, undefined, (effect) => effect());
    this.collectors = stores.collectors;
    this.events = stores.events;
    this.credentials = stores.credentials;
    this.users = stores.users;
    this.roles = stores.roles;
    this.serviceAccounts = stores.serviceAccounts;
    this.audit = stores.audit;
    this.settings = stores.settings;
    this.throughput = stores.throughput;
    this.opampAgents = stores.opampAgents;
    this.configVersions = stores.configVersions;
    this.managedAgents = stores.managedAgents;
    this.pipelineObjects = stores.pipelineObjects;
  }

  async transaction<T>(work: (stores: Stores) => Promise<T>): Promise<T> {
    const effects: Array<() => void> = [];
    const result = await this.db
      .transaction()
      .execute((trx) =>
        work(storesOn(trx, this.dialect, this.sqliteHandle, (effect) => effects.push(effect))),
      );
    for (const effect of effects) effect();
    return result;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.onClose();
    await this.db.destroy();
  }
}
