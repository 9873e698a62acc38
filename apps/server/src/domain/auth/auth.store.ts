import type { Role, ServiceAccount, User } from './auth.types.ts';

export interface UserStore {
  insert(user: User, roleIds: readonly string[]): Promise<void>;
  findByUsername(username: string): Promise<User | undefined>;
  get(id: string): Promise<User | undefined>;
  list(limit: number): Promise<User[]>;
  count(): Promise<number>;
  setPassword(id: string, passwordHash: string): Promise<void>;
  setRoles(id: string, roleIds: readonly string[]): Promise<void>;
  roleIds(id: string): Promise<string[]>;
  recordLogin(id: string, atMs: number): Promise<void>;
  disable(id: string, atMs: number): Promise<boolean>;
}

export interface RoleStore {
  list(): Promise<Role[]>;
  get(id: string): Promise<Role | undefined>;
  findByName(name: string): Promise<Role | undefined>;
  upsertBuiltIn(role: Role): Promise<void>;
}

export interface ServiceAccountStore {
  insert(account: ServiceAccount): Promise<void>;
  get(id: string): Promise<ServiceAccount | undefined>;
  findByName(name: string): Promise<ServiceAccount | undefined>;
  list(limit: number): Promise<ServiceAccount[]>;
  disable(id: string, atMs: number): Promise<boolean>;
}

export interface AuditEntry {
  readonly id: number;
  readonly atMs: number;
  readonly actor: string;
  /** Stable identifiers, e.g. `auth.login`, `auth.login_failed`, `token.minted`, `collector.deregistered`. */
  readonly action: string;
  readonly target: string;
  readonly sourceIp: string;
  readonly detail: string;
}

export interface AuditStore {
  append(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  /** Newest first, bounded by time and limit. */
  list(filter: { sinceMs: number; limit: number; action?: string }): Promise<AuditEntry[]>;
}

/** Small key/value table for server-level state (e.g. the seeded admin token's id). */
export interface SettingStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}
