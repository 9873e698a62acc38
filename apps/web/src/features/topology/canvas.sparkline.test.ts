import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sparklinePath } from './canvas.sparkline.ts';

describe('sparklinePath', () => {
  it('draws runs, leaves gaps open and shows a lone value as a dot', () => {
    assert.equal(sparklinePath([1, 2, null, 3], 40, 10), 'M2,6 L14,4 M38,2 l0,0');
  });

  it('puts an all-zero line on the baseline and draws nothing without values', () => {
    assert.equal(sparklinePath([0, 0], 10, 10), 'M2,8 L8,8');
    assert.equal(sparklinePath([null, null], 10, 10), '');
    assert.equal(sparklinePath([], 10, 10), '');
  });
});
