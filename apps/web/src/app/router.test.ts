import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectorPath, routeOf } from './router.ts';

describe('routeOf', () => {
  it('maps each page path to its page', () => {
    assert.deepEqual(routeOf('/login'), { page: 'login' });
    assert.deepEqual(routeOf('/collectors'), { page: 'collectors' });
    assert.deepEqual(routeOf('/collectors/c-1'), { page: 'collector', id: 'c-1', tab: 'overview' });
    assert.deepEqual(routeOf('/collectors/c-1/components'), {
      page: 'collector',
      id: 'c-1',
      tab: 'components',
    });
    assert.deepEqual(routeOf('/collectors/c-1/events'), { page: 'collector', id: 'c-1', tab: 'events' });
    assert.deepEqual(routeOf('/settings/enrollment-tokens'), {
      page: 'settings',
      section: 'enrollment-tokens',
    });
  });

  it('redirects section roots to their canonical page', () => {
    assert.deepEqual(routeOf('/'), { page: 'redirect', to: '/collectors' });
    assert.deepEqual(routeOf('/settings'), { page: 'redirect', to: '/settings/enrollment-tokens' });
  });

  it('ignores trailing slashes and answers not-found for anything else', () => {
    assert.deepEqual(routeOf('/collectors/'), { page: 'collectors' });
    assert.deepEqual(routeOf('/collectors/c-1/config'), { page: 'not-found' });
    assert.deepEqual(routeOf('/nowhere'), { page: 'not-found' });
    assert.deepEqual(routeOf('/collectors/%zz'), { page: 'not-found' });
  });

  it('round-trips ids that need escaping', () => {
    const id = 'a b/c';
    for (const tab of ['overview', 'components', 'events'] as const) {
      assert.deepEqual(routeOf(collectorPath(id, tab)), { page: 'collector', id, tab });
    }
  });
});
