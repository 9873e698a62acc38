import assert from 'node:assert/strict';
import { ManualClock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { describeStorage } from '../../testing/storage-harness.ts';
import { aThrottle, operatorContext, uniqueName } from '../../testing/factories.ts';
import { AuthService, builtInRoleId } from './auth.service.ts';

describeStorage('operators and service accounts', (suite) => {
  const clock = new ManualClock();
  const service = () =>
    new AuthService(suite.storage(), clock, { sessionTtlSeconds: 3600 }, aThrottle(clock));

  suite.test('seeds the first admin with a generated password only when no operator exists', async () => {
    const auth = service();
    await auth.ensureBuiltInRoles();
    const first = await auth.seedFirstAdmin(undefined);
    assert.equal(first?.username, 'admin');
    assert.equal(first.generated, true);
    assert.ok(first.password.length >= 20);
    assert.equal(await auth.seedFirstAdmin('another-password-123'), undefined, 'not seeded twice');
    const session = await auth.login('admin', first.password, '127.0.0.1');
    assert.ok(session.principal.permissions.has('users:create'), 'the first admin is an Admin');
    const stored = await suite.storage().users.findByUsername('admin');
    assert.match(stored?.passwordHash ?? '', /^scrypt\$/);
    assert.ok(!stored?.passwordHash.includes(first.password));
  });

  suite.test('rejects a wrong password, audits it, and throttles after repeated failures', async () => {
    const auth = service();
    const username = uniqueName('op');
    await auth.createUser(operatorContext, {
      username,
      password: 'correct horse battery',
      roleNames: ['Viewer'],
    });
    await assert.rejects(
      auth.login(username, 'wrong password!!', '10.1.1.1'),
      (e: unknown) => e instanceof DomainError && e.kind === 'unauthenticated',
    );
    const failures = await suite
      .storage()
      .audit.list({ sinceMs: 0, limit: 100, action: 'auth.login_failed' });
    assert.ok(failures.some((f) => f.actor === `user:${username}` && f.sourceIp === '10.1.1.1'));
    for (let i = 0; i < 9; i++)
      await auth.login(username, 'wrong password!!', '10.1.1.1').catch(() => undefined);
    await assert.rejects(
      auth.login(username, 'correct horse battery', '10.1.1.1'),
      (e: unknown) => e instanceof DomainError && e.kind === 'rate_limited' && (e.retryAfterSeconds ?? 0) > 0,
    );
    clock.advanceMs(5 * 60_000 + 1);
    const session = await auth.login(username, 'correct horse battery', '10.1.1.1');
    assert.ok(session.principal.permissions.has('collectors:read'));
  });

  suite.test('guessing from one address does not lock the real user out from another', async () => {
    const auth = service();
    const username = uniqueName('op');
    await auth.createUser(operatorContext, {
      username,
      password: 'correct horse battery',
      roleNames: ['Admin'],
    });
    for (let i = 0; i < 10; i++)
      await auth.login(username, `guess ${i} guess`, '203.0.113.9').catch(() => undefined);
    await assert.rejects(
      auth.login(username, 'correct horse battery', '203.0.113.9'),
      (e: unknown) => e instanceof DomainError && e.kind === 'rate_limited',
      'the guessing address waits, even with the right password',
    );
    const session = await auth.login(username, 'correct horse battery', '198.51.100.7');
    assert.equal(session.principal.name, username, 'the real user, from a clean address, is not locked out');
  });

  suite.test('an address guessing many usernames is throttled too', async () => {
    const auth = service();
    for (let i = 0; i < 30; i++)
      await auth.login(uniqueName('nobody'), 'some password!', '203.0.113.10').catch(() => undefined);
    await assert.rejects(
      auth.login(uniqueName('nobody'), 'some password!', '203.0.113.10'),
      (e: unknown) => e instanceof DomainError && e.kind === 'rate_limited',
    );
  });

  suite.test('keeps a session alive while used and ends it on logout', async () => {
    const auth = service();
    const username = uniqueName('op');
    await auth.createUser(operatorContext, {
      username,
      password: 'correct horse battery',
      roleNames: ['Operator'],
    });
    const { sessionToken } = await auth.login(username, 'correct horse battery', '127.0.0.1');
    assert.match(sessionToken, /^lms_/);
    clock.advanceMs(40 * 60_000);
    assert.equal(
      (await auth.authenticateSession(sessionToken))?.name,
      username,
      'extended at 2/3 of its life',
    );
    clock.advanceMs(50 * 60_000);
    assert.equal(
      (await auth.authenticateSession(sessionToken))?.name,
      username,
      'still alive thanks to sliding',
    );
    await auth.logout(sessionToken);
    assert.equal(await auth.authenticateSession(sessionToken), undefined);
  });

  suite.test('expires an idle session', async () => {
    const auth = service();
    const username = uniqueName('op');
    await auth.createUser(operatorContext, {
      username,
      password: 'correct horse battery',
      roleNames: ['Viewer'],
    });
    const { sessionToken } = await auth.login(username, 'correct horse battery', '127.0.0.1');
    clock.advanceMs(3600_000 + 1);
    assert.equal(await auth.authenticateSession(sessionToken), undefined);
  });

  suite.test('mints lmsat_ tokens carrying the account role, and honours expiry and revocation', async () => {
    const auth = service();
    const account = await auth.createServiceAccount(operatorContext, {
      name: uniqueName('ci'),
      roleName: 'Viewer',
    });
    assert.equal(account.roleId, builtInRoleId('Viewer'));
    const expiring = await auth.mintServiceAccountToken(operatorContext, account.id, {
      ttlSeconds: 60,
      label: 'short',
    });
    const forever = await auth.mintServiceAccountToken(operatorContext, account.id, {
      ttlSeconds: null,
      label: '',
    });
    assert.match(expiring.token, /^lmsat_/);
    const principal = await auth.authenticateServiceToken(expiring.token);
    assert.ok(principal?.permissions.has('collectors:read'));
    assert.ok(!principal?.permissions.has('enrollment-tokens:create'));
    clock.advanceMs(61_000);
    assert.equal(await auth.authenticateServiceToken(expiring.token), undefined, 'expired');
    assert.ok(await auth.authenticateServiceToken(forever.token));
    await auth.revokeServiceAccountToken(operatorContext, account.id, forever.id);
    assert.equal(await auth.authenticateServiceToken(forever.token), undefined, 'revoked');
    const audit = await suite.storage().audit.list({ sinceMs: 0, limit: 100, action: 'token.revoked' });
    assert.ok(audit.some((a) => a.actor === operatorContext.actor));
  });

  suite.test('seeds LINKMESH_ADMIN_TOKEN idempotently and replaces an earlier seeded token', async () => {
    const auth = service();
    const first = 'lmsat_' + 'a'.repeat(43);
    const second = 'lmsat_' + 'b'.repeat(43);
    await auth.seedAdminToken(first);
    await auth.seedAdminToken(first);
    assert.ok((await auth.authenticateServiceToken(first))?.permissions.has('users:create'));
    await auth.seedAdminToken(second);
    assert.equal(await auth.authenticateServiceToken(first), undefined, 'the replaced token no longer works');
    assert.ok(await auth.authenticateServiceToken(second));
  });

  suite.test('validates new users by field', async () => {
    const auth = service();
    const cases: Array<[Parameters<AuthService['createUser']>[1], string]> = [
      [{ username: 'Bad Name!', password: 'long enough password', roleNames: ['Viewer'] }, 'username'],
      [{ username: uniqueName('u'), password: 'short', roleNames: ['Viewer'] }, 'password'],
      [{ username: uniqueName('u'), password: 'long enough password', roleNames: ['Wizard'] }, 'roles'],
    ];
    for (const [input, field] of cases) {
      await assert.rejects(
        auth.createUser(operatorContext, input),
        (e: unknown) => e instanceof DomainError && e.kind === 'invalid' && e.field === field,
      );
    }
  });
});
