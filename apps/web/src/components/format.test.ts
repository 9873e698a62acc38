import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compact, duration, missing, percent, perSecond, quantity, relativeTime } from './format.ts';

const nowMs = Date.parse('2025-03-01T12:00:00Z');

describe('relativeTime', () => {
  it('reads "now" within ten seconds either way', () => {
    assert.equal(relativeTime('2025-03-01T11:59:55Z', nowMs), 'now');
    assert.equal(relativeTime('2025-03-01T12:00:09Z', nowMs), 'now');
  });

  it('picks the largest whole unit, past and future', () => {
    assert.equal(relativeTime('2025-03-01T11:55:00Z', nowMs), '5 minutes ago');
    assert.equal(relativeTime('2025-03-01T15:00:00Z', nowMs), 'in 3 hours');
    assert.equal(relativeTime('2025-02-27T12:00:00Z', nowMs), '2 days ago');
  });

  it('rounds into the next unit instead of reading "60 minutes"', () => {
    assert.equal(relativeTime('2025-03-01T12:59:40Z', nowMs), 'in 1 hour');
  });

  it('shows a dash for a collector never seen', () => {
    assert.equal(relativeTime(null, nowMs), missing);
  });
});

describe('duration', () => {
  it('shows the two largest units', () => {
    assert.equal(duration(42), '42s');
    assert.equal(duration(125), '2m 5s');
    assert.equal(duration(3 * 3600 + 12 * 60), '3h 12m');
    assert.equal(duration(2 * 86_400 + 5 * 3600 + 59), '2d 5h');
    assert.equal(duration(null), missing);
  });
});

describe('quantity', () => {
  it('limits fraction digits and appends the unit', () => {
    assert.equal(quantity(12.345, ' %'), '12.3 %');
    assert.equal(quantity(512.6, ' MB', 0), '513 MB');
    assert.equal(quantity(0, ' %'), '0 %');
    assert.equal(quantity(null, ' %'), missing);
  });
});

describe('compact', () => {
  it('rounds half up on the decimal a number prints as, like Intl', () => {
    assert.equal(compact(1.005), '1.01');
    assert.equal(compact(9.995), '10');
    assert.equal(compact(0.155), '0.16');
    assert.equal(compact(99.95), '100');
    assert.equal(compact(2.5e21), '2500000000T');
  });

  it('keeps small numbers readable and scales large ones', () => {
    assert.equal(compact(0), '0');
    assert.equal(compact(0.25), '0.25');
    assert.equal(compact(12.46), '12.5');
    assert.equal(compact(512.6), '513');
    assert.equal(compact(1234), '1.2k');
    assert.equal(compact(34_567), '34.6k');
    assert.equal(compact(345_678), '346k');
    assert.equal(compact(1_500_000), '1.5M');
  });

  it('rounds into the next magnitude instead of reading "1000k"', () => {
    assert.equal(compact(999.7), '1k');
    assert.equal(compact(999_960), '1M');
  });

  it('never shows a positive value as zero', () => {
    assert.equal(compact(0.001), '<0.01');
  });
});

describe('perSecond', () => {
  it('appends /s and shows a dash when there is no rate yet', () => {
    assert.equal(perSecond(1234), '1.2k/s');
    assert.equal(perSecond(0), '0/s');
    assert.equal(perSecond(null), missing);
  });
});

describe('percent', () => {
  it('turns a fraction into a percentage', () => {
    assert.equal(percent(0.25), '25 %');
    assert.equal(percent(0.0049), '0.5 %');
  });
});
