import type { Kysely } from 'kysely';
import type {
  AuditEntry,
  AuditStore,
  RoleStore,
  ServiceAccountStore,
  SettingStore,
  UserStore,
} from '../../domain/auth/auth.store.ts';
import type { Role, ServiceAccount, User } from '../../domain/auth/auth.types.ts';
import type { Permission } from '../../domain/auth/permissions.ts';
import type { Database, RoleRow, ServiceAccountRow, UserRow } from '../schema.ts';

export class SqlUserStore implements UserStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(user: User, roleIds: readonly string[]): Promise<void> {
    await this.db
      .insertInto('users')
      .values({
        id: user.id,
        username: user.username,
        password_hash: user.passwordHash,
        created_at: user.createdAtMs,
        disabled_at: user.disabledAtMs,
        last_login_at: user.lastLoginAtMs,
      })
      .execute();
    await this.setRoles(user.id, roleIds);
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async get(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async list(limit: number): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('username').limit(limit).execute();
    return rows.map(toUser);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async setPassword(id: string, passwordHash: string): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
  }

  async setRoles(id: string, roleIds: readonly string[]): Promise<void> {
    await this.db.deleteFrom('user_roles').where('user_id', '=', id).execute();
    if (roleIds.length > 0) {
      await this.db
        .insertInto('user_roles')
        .values(roleIds.map((roleId) => ({ user_id: id, role_id: roleId })))
        .execute();
    }
  }

  async roleIds(id: string): Promise<string[]> {
    const rows = await this.db.selectFrom('user_roles').select('role_id').where('user_id', '=', id).execute();
    return rows.map((r) => r.role_id);
  }

  async recordLogin(id: string, atMs: number): Promise<void> {
    await this.db.updateTable('users').set({ last_login_at: atMs }).where('id', '=', id).execute();
  }

  async disable(id: string, atMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ disabled_at: atMs })
      .where('id', '=', id)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    createdAtMs: row.created_at,
    disabledAtMs: row.disabled_at,
    lastLoginAtMs: row.last_login_at,
  };
}

export class SqlRoleStore implements RoleStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<Role[]> {
    const rows = await this.db.selectFrom('roles').selectAll().orderBy('name').execute();
    return rows.map(toRole);
  }

  async get(id: string): Promise<Role | undefined> {
    const row = await this.db.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRole(row);
  }

  async findByName(name: string): Promise<Role | undefined> {
    const row = await this.db.selectFrom('roles').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toRole(row);
  }

  async upsertBuiltIn(role: Role): Promise<void> {
    const row: RoleRow = {
      id: role.id,
      name: role.name,
      description: role.description,
      permissions: JSON.stringify(role.permissions),
      built_in: 1,
    };
    await this.db
      .insertInto('roles')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet({ name: row.name, description: row.description, permissions: row.permissions }),
      )
      .execute();
  }
}

function toRole(row: RoleRow): Role {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    permissions: JSON.parse(row.permissions) as Permission[],
    builtIn: row.built_in === 1,
  };
}

export class SqlServiceAccountStore implements ServiceAccountStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(account: ServiceAccount): Promise<void> {
    await this.db
      .insertInto('service_accounts')
      .values({
        id: account.id,
        name: account.name,
        role_id: account.roleId,
        created_at: account.createdAtMs,
        created_by: account.createdBy,
        disabled_at: account.disabledAtMs,
      })
      .execute();
  }

  async get(id: string): Promise<ServiceAccount | undefined> {
    const row = await this.db
      .selectFrom('service_accounts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toServiceAccount(row);
  }

  async findByName(name: string): Promise<ServiceAccount | undefined> {
    const row = await this.db
      .selectFrom('service_accounts')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toServiceAccount(row);
  }

  async list(limit: number): Promise<ServiceAccount[]> {
    const rows = await this.db
      .selectFrom('service_accounts')
      .selectAll()
      .orderBy('name')
      .limit(limit)
      .execute();
    return rows.map(toServiceAccount);
  }

  async disable(id: string, atMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('service_accounts')
      .set({ disabled_at: atMs })
      .where('id', '=', id)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

function toServiceAccount(row: ServiceAccountRow): ServiceAccount {
  return {
    id: row.id,
    name: row.name,
    roleId: row.role_id,
    createdAtMs: row.created_at,
    createdBy: row.created_by,
    disabledAtMs: row.disabled_at,
  };
}

export class SqlAuditStore implements AuditStore {
  constructor(private readonly db: Kysely<Database>) {}

  async append(entry: Omit<AuditEntry, 'id'>): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        at: entry.atMs,
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        source_ip: entry.sourceIp,
        detail: entry.detail,
      })
      .execute();
  }

  async list(filter: { sinceMs: number; limit: number; action?: string }): Promise<AuditEntry[]> {
    let query = this.db.selectFrom('audit_log').selectAll().where('at', '>=', filter.sinceMs);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map((row) => ({
      id: row.id,
      atMs: row.at,
      actor: row.actor,
      action: row.action,
      target: row.target,
      sourceIp: row.source_ip,
      detail: row.detail,
    }));
  }
}

export class SqlSettingStore implements SettingStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}
