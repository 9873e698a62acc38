import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiQueryOf, defaultView, searchOf, sortedBy, toggledStatus, viewFromSearch } from './fleet-query.ts';

describe('fleet list view in the URL', () => {
  it('round-trips a filtered, sorted view', () => {
    const view = {
      q: 'edge gw',
      statuses: ['error', 'stale'] as const,
      runtime: 'alloy' as const,
      mode: 'managed' as const,
      sort: 'recordsOutPerSec' as const,
      order: 'desc' as const,
    };
    const search = searchOf({ ...view, statuses: [...view.statuses] });
    assert.equal(
      search,
      '?q=edge+gw&status=error%2Cstale&runtime=alloy&mode=managed&sort=recordsOutPerSec&order=desc',
    );
    assert.deepEqual(viewFromSearch(search), { ...view, statuses: ['error', 'stale'] });
  });

  it('drops what it does not know instead of failing', () => {
    assert.deepEqual(viewFromSearch('?status=error,bogus,error&runtime=vector&sort=cpu&order=up'), {
      ...defaultView,
      statuses: ['error'],
    });
    assert.equal(searchOf(defaultView), '');
  });

  it('starts a rate column busiest first and flips on a second click', () => {
    const byOut = sortedBy(defaultView, 'recordsOutPerSec');
    assert.equal(byOut.order, 'desc');
    assert.equal(sortedBy(byOut, 'recordsOutPerSec').order, 'asc');
    assert.equal(sortedBy(byOut, 'name').order, 'asc');
    assert.equal(
      viewFromSearch('?sort=errorsPerSec').order,
      'desc',
      'a link without order takes the first one',
    );
  });

  it('toggles statuses and asks the API for counts', () => {
    const errors = toggledStatus(defaultView, 'error');
    assert.deepEqual(errors.statuses, ['error']);
    assert.deepEqual(toggledStatus(errors, 'error').statuses, []);
    assert.equal(apiQueryOf(errors, 500), 'status=error&counts=true&limit=500');
  });
});
