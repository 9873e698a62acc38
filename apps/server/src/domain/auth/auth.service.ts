import type { Clock } from '../shared/clock.ts';
import { displayPrefix, hashCredential, looksLikeCredential, mintCredential } from '../shared/credentials.ts';
import { DomainError, invalid, notFound } from '../shared/errors.ts';
import type { AuthThrottle } from '../shared/auth-throttle.ts';
import { newId } from '../shared/ids.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { StorageOf } from '../shared/storage.port.ts';
import type { Principal, Role, ServiceAccount, User } from './auth.types.ts';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from './password.ts';
import { builtInRoles, type BuiltInRoleName, type Permission } from './permissions.ts';

export interface AuthSettings {
  /** Sliding session lifetime. */
  readonly sessionTtlSeconds: number;
}

/** The one result of operator authentication; the HTTP hook maps it to 401 / 429. */
export type OperatorAuth =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: 'unauthenticated' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAfterSeconds: number };

/** Stable ids for built-in roles, so that stored assignments survive renames of the display name. */
export const builtInRoleId = (name: BuiltInRoleName) => `role-${name.toLowerCase().replace(/ /g, '-')}`;

const seededAdminTokenKey = 'seeded_admin_token_id';
const bootstrapAccountName = 'bootstrap-admin';
/** Usernames are case-insensitive identifiers: stored lower-case. */
const usernamePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Operators, service accounts, sessions and permissions. Every security event goes to the audit
 * log: logins (success and failure), tokens minted or revoked, users created or disabled.
 */
export class AuthService {
  /**
   * A real scrypt hash of a random password, checked when the username is unknown or disabled,
   * so every failed login costs the same scrypt work and timing says nothing about usernames.
   */
  private readonly decoyHash: Promise<string> = hashPassword(generatePassword());

  constructor(
    private readonly storage: StorageOf<
      'users' | 'roles' | 'serviceAccounts' | 'credentials' | 'audit' | 'settings'
    >,
    private readonly clock: Clock,
    private readonly settings: AuthSettings,
    private readonly throttle: AuthThrottle,
  ) {}

  /**
   * The operator credential of an `/api/v1` request — an `lmsat_` bearer, else the session
   * cookie — resolved from the headers before any body is read. Failures count against the
   * address in the one failed-auth throttle; a throttled address is answered without a lookup.
   */
  async authenticateOperator(
    credentials: { readonly bearer: string | undefined; readonly sessionCookie: string | undefined },
    ip: string,
  ): Promise<OperatorAuth> {
    const waitSeconds = this.throttle.retryAfterSeconds('operator', ip);
    if (waitSeconds > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: waitSeconds };
    const principal =
      credentials.bearer !== undefined
        ? await this.authenticateServiceToken(credentials.bearer)
        : credentials.sessionCookie !== undefined
          ? await this.authenticateSession(credentials.sessionCookie)
          : undefined;
    if (principal) return { ok: true, principal };
    if (credentials.bearer !== undefined || credentials.sessionCookie !== undefined)
      this.throttle.recordFailure('operator', ip);
    return { ok: false, reason: 'unauthenticated' };
  }

  /** Writes the built-in roles (idempotent; permissions follow the code on every start). */
  async ensureBuiltInRoles(): Promise<void> {
    for (const [name, permissions] of Object.entries(builtInRoles) as [BuiltInRoleName, Permission[]][]) {
      await this.storage.roles.upsertBuiltIn({
        id: builtInRoleId(name),
        name,
        description: `Built-in ${name} role`,
        permissions,
        builtIn: true,
      });
    }
  }

  /**
   * Creates the first admin when no operator exists yet. Returns the credentials to print once,
   * or undefined when operators already exist (the configured password is then ignored).
   */
  async seedFirstAdmin(
    configuredPassword: string | undefined,
  ): Promise<{ username: string; password: string; generated: boolean } | undefined> {
    if ((await this.storage.users.count()) > 0) return undefined;
    const password = configuredPassword ?? generatePassword();
    await this.createUser(
      { actor: 'system', sourceIp: '' },
      { username: 'admin', password, roleNames: ['Admin'] },
    );
    return { username: 'admin', password, generated: configuredPassword === undefined };
  }

  /**
   * Makes `token` (from LINKMESH_ADMIN_TOKEN) a valid Admin service-account token. A different
   * token seeded on an earlier start is revoked, so only the configured one works.
   */
  async seedAdminToken(token: string): Promise<void> {
    const hash = hashCredential(token);
    const existing = await this.storage.credentials.findByHash(hash);
    if (existing && existing.revokedAtMs === null) return;
    if (existing) throw new DomainError('conflict', 'LINKMESH_ADMIN_TOKEN was revoked; configure a new one');
    const nowMs = this.clock.nowMs();
    await this.storage.transaction(async (stores) => {
      let account = await stores.serviceAccounts.findByName(bootstrapAccountName);
      if (!account) {
        account = {
          id: newId(),
          name: bootstrapAccountName,
          roleId: builtInRoleId('Admin'),
          createdAtMs: nowMs,
          createdBy: 'system',
          disabledAtMs: null,
        };
        await stores.serviceAccounts.insert(account);
      }
      const previous = await stores.settings.get(seededAdminTokenKey);
      if (previous) await stores.credentials.revoke(previous, nowMs);
      const id = newId();
      await stores.credentials.insert({
        id,
        kind: 'service_account',
        hash,
        displayPrefix: displayPrefix(token),
        collectorId: null,
        userId: null,
        serviceAccountId: account.id,
        createdBy: 'system',
        createdAtMs: nowMs,
        expiresAtMs: null,
        label: 'LINKMESH_ADMIN_TOKEN',
      });
      await stores.settings.set(seededAdminTokenKey, id);
      await stores.audit.append({
        atMs: nowMs,
        actor: 'system',
        action: 'token.minted',
        target: `service-account:${bootstrapAccountName}`,
        sourceIp: '',
        detail: 'seeded from LINKMESH_ADMIN_TOKEN',
      });
    });
  }

  async login(
    username: string,
    password: string,
    sourceIp: string,
  ): Promise<{ sessionToken: string; expiresAtMs: number; principal: Principal }> {
    const normalized = username.trim().toLowerCase();
    const waitSeconds = this.throttle.loginRetryAfterSeconds(sourceIp, normalized);
    if (waitSeconds > 0) {
      throw new DomainError(
        'rate_limited',
        'too many failed logins; try again later',
        undefined,
        waitSeconds,
      );
    }
    const user = await this.storage.users.findByUsername(normalized);
    const usable = user !== undefined && user.disabledAtMs === null;
    // Unknown and disabled users cost the same scrypt as a wrong password.
    const passwordOk = await verifyPassword(password, usable ? user.passwordHash : await this.decoyHash);
    const ok = usable && passwordOk;
    const nowMs = this.clock.nowMs();
    if (!ok) {
      this.throttle.recordLoginFailure(sourceIp, normalized);
      await this.storage.audit.append({
        atMs: nowMs,
        actor: `user:${normalized.slice(0, 64)}`,
        action: 'auth.login_failed',
        target: '',
        sourceIp,
        detail: user ? 'wrong password or disabled user' : 'unknown user',
      });
      throw new DomainError('unauthenticated', 'invalid username or password');
    }
    this.throttle.recordLoginSuccess(sourceIp, normalized);
    const sessionToken = mintCredential('session');
    const expiresAtMs = nowMs + this.settings.sessionTtlSeconds * 1000;
    await this.storage.transaction(async (stores) => {
      await stores.credentials.insert({
        id: newId(),
        kind: 'session',
        hash: hashCredential(sessionToken),
        displayPrefix: displayPrefix(sessionToken),
        collectorId: null,
        userId: user.id,
        serviceAccountId: null,
        createdBy: `user:${user.username}`,
        createdAtMs: nowMs,
        expiresAtMs,
        label: '',
      });
      await stores.users.recordLogin(user.id, nowMs);
      await stores.audit.append({
        atMs: nowMs,
        actor: `user:${user.username}`,
        action: 'auth.login',
        target: '',
        sourceIp,
        detail: '',
      });
    });
    return { sessionToken, expiresAtMs, principal: await this.principalForUser(user) };
  }

  async logout(sessionToken: string): Promise<void> {
    const record = await this.storage.credentials.findByHash(hashCredential(sessionToken));
    if (record?.kind === 'session') await this.storage.credentials.revoke(record.id, this.clock.nowMs());
  }

  /** Resolves a session cookie; extends the session when less than half of its life is left. */
  async authenticateSession(sessionToken: string): Promise<Principal | undefined> {
    if (!looksLikeCredential(sessionToken, 'session')) return undefined;
    const record = await this.liveCredential(sessionToken, 'session');
    if (!record?.userId) return undefined;
    const user = await this.storage.users.get(record.userId);
    if (!user || user.disabledAtMs !== null) return undefined;
    const nowMs = this.clock.nowMs();
    const ttlMs = this.settings.sessionTtlSeconds * 1000;
    if (record.expiresAtMs !== null && record.expiresAtMs - nowMs < ttlMs / 2) {
      await this.storage.credentials.setExpiry(record.id, nowMs + ttlMs);
    }
    return this.principalForUser(user);
  }

  /** Resolves an `lmsat_` bearer. */
  async authenticateServiceToken(token: string): Promise<Principal | undefined> {
    if (!looksLikeCredential(token, 'serviceAccount')) return undefined;
    const record = await this.liveCredential(token, 'service_account');
    if (!record?.serviceAccountId) return undefined;
    const account = await this.storage.serviceAccounts.get(record.serviceAccountId);
    if (!account || account.disabledAtMs !== null) return undefined;
    const nowMs = this.clock.nowMs();
    // Recording use is informative only; once a minute per token keeps writes off the hot path.
    if (record.lastUsedAtMs === null || nowMs - record.lastUsedAtMs > 60_000) {
      await this.storage.credentials.touch(record.id, nowMs);
    }
    const role = await this.storage.roles.get(account.roleId);
    return {
      kind: 'service-account',
      id: account.id,
      name: account.name,
      permissions: new Set(role?.permissions ?? []),
      actor: `service-account:${account.name}`,
    };
  }

  async createUser(
    context: RequestContext,
    input: { username: string; password: string; roleNames: readonly string[] },
  ): Promise<User> {
    const username = input.username.trim().toLowerCase();
    if (!usernamePattern.test(username)) {
      throw invalid('username', 'username must be 1–64 characters of a-z, 0-9, ".", "_" or "-"');
    }
    const problem = passwordProblem(input.password);
    if (problem) throw invalid('password', `password ${problem}`);
    const roles = await this.rolesByName(input.roleNames, 'roles');
    if (await this.storage.users.findByUsername(username)) {
      throw new DomainError('conflict', `user ${username} already exists`);
    }
    const user: User = {
      id: newId(),
      username,
      passwordHash: await hashPassword(input.password),
      createdAtMs: this.clock.nowMs(),
      disabledAtMs: null,
      lastLoginAtMs: null,
    };
    await this.storage.transaction(async (stores) => {
      await stores.users.insert(
        user,
        roles.map((r) => r.id),
      );
      await stores.audit.append({
        atMs: user.createdAtMs,
        actor: context.actor,
        action: 'user.created',
        target: `user:${username}`,
        sourceIp: context.sourceIp,
        detail: `roles: ${roles.map((r) => r.name).join(', ')}`,
      });
    });
    return user;
  }

  async listUsers(limit: number): Promise<Array<{ user: User; roles: string[] }>> {
    const users = await this.storage.users.list(limit);
    const roles = new Map((await this.storage.roles.list()).map((r) => [r.id, r.name]));
    return Promise.all(
      users.map(async (user) => ({
        user,
        roles: (await this.storage.users.roleIds(user.id)).map((id) => roles.get(id) ?? id),
      })),
    );
  }

  async disableUser(context: RequestContext, userId: string): Promise<void> {
    const user = await this.storage.users.get(userId);
    if (!user) throw notFound('user');
    const nowMs = this.clock.nowMs();
    await this.storage.transaction(async (stores) => {
      await stores.users.disable(userId, nowMs);
      await stores.audit.append({
        atMs: nowMs,
        actor: context.actor,
        action: 'user.disabled',
        target: `user:${user.username}`,
        sourceIp: context.sourceIp,
        detail: '',
      });
    });
  }

  async changePassword(context: RequestContext, userId: string, password: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw invalid('password', `password ${problem}`);
    const user = await this.storage.users.get(userId);
    if (!user) throw notFound('user');
    await this.storage.users.setPassword(userId, await hashPassword(password));
    await this.storage.audit.append({
      atMs: this.clock.nowMs(),
      actor: context.actor,
      action: 'user.password_changed',
      target: `user:${user.username}`,
      sourceIp: context.sourceIp,
      detail: '',
    });
  }

  listRoles(): Promise<Role[]> {
    return this.storage.roles.list();
  }

  async createServiceAccount(
    context: RequestContext,
    input: { name: string; roleName: string },
  ): Promise<ServiceAccount> {
    const name = input.name.trim();
    if (!usernamePattern.test(name)) {
      throw invalid('name', 'name must be 1–64 characters of a-z, 0-9, ".", "_" or "-"');
    }
    const [role] = await this.rolesByName([input.roleName], 'role');
    if (!role) throw invalid('role', 'role is required');
    if (await this.storage.serviceAccounts.findByName(name)) {
      throw new DomainError('conflict', `service account ${name} already exists`);
    }
    const account: ServiceAccount = {
      id: newId(),
      name,
      roleId: role.id,
      createdAtMs: this.clock.nowMs(),
      createdBy: context.actor,
      disabledAtMs: null,
    };
    await this.storage.transaction(async (stores) => {
      await stores.serviceAccounts.insert(account);
      await stores.audit.append({
        atMs: account.createdAtMs,
        actor: context.actor,
        action: 'service_account.created',
        target: `service-account:${name}`,
        sourceIp: context.sourceIp,
        detail: `role: ${role.name}`,
      });
    });
    return account;
  }

  listServiceAccounts(limit: number): Promise<ServiceAccount[]> {
    return this.storage.serviceAccounts.list(limit);
  }

  /** Mints an `lmsat_` token; `ttlSeconds` null means it never expires. The raw value is returned once. */
  async mintServiceAccountToken(
    context: RequestContext,
    serviceAccountId: string,
    input: { ttlSeconds: number | null; label: string },
  ): Promise<{ id: string; token: string; expiresAtMs: number | null }> {
    const account = await this.storage.serviceAccounts.get(serviceAccountId);
    if (!account || account.disabledAtMs !== null) throw notFound('service account');
    const token = mintCredential('serviceAccount');
    const nowMs = this.clock.nowMs();
    const expiresAtMs = input.ttlSeconds === null ? null : nowMs + input.ttlSeconds * 1000;
    const id = newId();
    await this.storage.transaction(async (stores) => {
      await stores.credentials.insert({
        id,
        kind: 'service_account',
        hash: hashCredential(token),
        displayPrefix: displayPrefix(token),
        collectorId: null,
        userId: null,
        serviceAccountId,
        createdBy: context.actor,
        createdAtMs: nowMs,
        expiresAtMs,
        label: input.label,
      });
      await stores.audit.append({
        atMs: nowMs,
        actor: context.actor,
        action: 'token.minted',
        target: `service-account:${account.name}`,
        sourceIp: context.sourceIp,
        detail: `token ${displayPrefix(token)} expires ${expiresAtMs === null ? 'never' : new Date(expiresAtMs).toISOString()}`,
      });
    });
    return { id, token, expiresAtMs };
  }

  async revokeServiceAccountToken(
    context: RequestContext,
    serviceAccountId: string,
    tokenId: string,
  ): Promise<void> {
    const record = await this.storage.credentials.findById(tokenId);
    if (record?.kind !== 'service_account' || record.serviceAccountId !== serviceAccountId) {
      throw notFound('token');
    }
    const nowMs = this.clock.nowMs();
    await this.storage.transaction(async (stores) => {
      await stores.credentials.revoke(tokenId, nowMs);
      await stores.audit.append({
        atMs: nowMs,
        actor: context.actor,
        action: 'token.revoked',
        target: `service-account-token:${record.displayPrefix}`,
        sourceIp: context.sourceIp,
        detail: '',
      });
    });
  }

  listServiceAccountTokens(serviceAccountId: string) {
    return this.storage.credentials.list({ kind: 'service_account', serviceAccountId, limit: 500 });
  }

  private async principalForUser(user: User): Promise<Principal> {
    const roleIds = await this.storage.users.roleIds(user.id);
    const permissions = new Set<Permission>();
    for (const roleId of roleIds) {
      const role = await this.storage.roles.get(roleId);
      for (const permission of role?.permissions ?? []) permissions.add(permission);
    }
    return { kind: 'user', id: user.id, name: user.username, permissions, actor: `user:${user.username}` };
  }

  private async liveCredential(token: string, kind: 'session' | 'service_account') {
    const record = await this.storage.credentials.findByHash(hashCredential(token));
    if (record?.kind !== kind || record.revokedAtMs !== null) return undefined;
    if (record.expiresAtMs !== null && record.expiresAtMs <= this.clock.nowMs()) return undefined;
    return record;
  }

  private async rolesByName(names: readonly string[], field: string): Promise<Role[]> {
    const roles: Role[] = [];
    for (const name of names) {
      const role = await this.storage.roles.findByName(name);
      if (!role) throw invalid(field, `unknown role "${name}"`);
      roles.push(role);
    }
    return roles;
  }
}
