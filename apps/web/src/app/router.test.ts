import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectorPath, objectPath, objectsPath, routeOf } from './router.ts';

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
    assert.deepEqual(routeOf('/collectors/c-1/topology'), { page: 'collector', id: 'c-1', tab: 'topology' });
    assert.deepEqual(routeOf('/topology'), { page: 'topology' });
    assert.deepEqual(routeOf('/collectors/c-1/overview'), { page: 'not-found' });
    assert.deepEqual(routeOf('/collectors/c-1/events'), { page: 'collector', id: 'c-1', tab: 'events' });
    assert.deepEqual(routeOf('/collectors/c-1/config'), { page: 'collector', id: 'c-1', tab: 'config' });
    assert.deepEqual(routeOf('/pipelines/sources'), { page: 'objects', kind: 'source' });
    assert.deepEqual(routeOf('/pipelines/pipelines/p-1'), { page: 'object', kind: 'pipeline', id: 'p-1' });
    assert.deepEqual(routeOf('/pipelines/groups/new'), { page: 'object', kind: 'group', id: null });
    assert.deepEqual(routeOf('/settings/enrollment-tokens'), {
      page: 'settings',
      section: 'enrollment-tokens',
    });
  });

  it('redirects section roots to their canonical page', () => {
    assert.deepEqual(routeOf('/'), { page: 'redirect', to: '/collectors' });
    assert.deepEqual(routeOf('/settings'), { page: 'redirect', to: '/settings/enrollment-tokens' });
    assert.deepEqual(routeOf('/pipelines'), { page: 'redirect', to: '/pipelines/routes' });
  });

  it('ignores trailing slashes and answers not-found for anything else', () => {
    assert.deepEqual(routeOf('/collectors/'), { page: 'collectors' });
    assert.deepEqual(routeOf('/collectors/c-1/settings'), { page: 'not-found' });
    assert.deepEqual(routeOf('/pipelines/widgets'), { page: 'not-found' });
    assert.deepEqual(routeOf('/pipelines/sources/s-1/extra'), { page: 'not-found' });
    assert.deepEqual(routeOf('/nowhere'), { page: 'not-found' });
    assert.deepEqual(routeOf('/collectors/%zz'), { page: 'not-found' });
  });

  it('round-trips ids that need escaping', () => {
    const id = 'a b/c';
    for (const tab of ['overview', 'topology', 'components', 'events', 'config'] as const) {
      assert.deepEqual(routeOf(collectorPath(id, tab)), { page: 'collector', id, tab });
    }
    for (const kind of ['source', 'destination', 'pipeline', 'route', 'group'] as const) {
      assert.deepEqual(routeOf(objectPath(kind, id)), { page: 'object', kind, id });
      assert.deepEqual(routeOf(objectPath(kind, null)), { page: 'object', kind, id: null });
      assert.deepEqual(routeOf(objectsPath(kind)), { page: 'objects', kind });
    }
  });
});
