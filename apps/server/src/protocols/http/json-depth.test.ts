import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonDepthProblem } from './json-depth.ts';

describe('jsonDepthProblem', () => {
  it('accepts nesting up to the limit and refuses one level more, for arrays and objects', () => {
    assert.equal(jsonDepthProblem('[[[1]]]', 3), undefined);
    assert.match(jsonDepthProblem('[[[[1]]]]', 3) ?? '', /deeper than 3/);
    assert.equal(jsonDepthProblem('{"a":{"b":{}}}', 3), undefined);
    assert.match(jsonDepthProblem('{"a":{"b":{"c":{}}}}', 3) ?? '', /deeper than 3/);
  });

  it('does not count brackets inside strings, including after escaped quotes', () => {
    assert.equal(jsonDepthProblem('{"k":"[[[[[[{{{{"}', 1), undefined);
    assert.equal(jsonDepthProblem('["a\\"[[[[[[[","]]]]"]', 1), undefined);
    assert.equal(jsonDepthProblem(Buffer.from('["\\\\", [1]]'), 2), undefined);
    assert.match(jsonDepthProblem(Buffer.from('["\\\\", [[1]]]'), 2) ?? '', /deeper/);
  });

  it('stops at the first level too deep of a huge body instead of walking all of it', () => {
    const body = Buffer.alloc(8 * 1024 * 1024, '[');
    assert.match(jsonDepthProblem(body, 64) ?? '', /deeper than 64/);
  });
});
