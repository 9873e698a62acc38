import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLog, tokenPrefix } from './log.ts';

describe('agent log lines', () => {
  it('writes `event: message key=value` and quotes values with spaces', () => {
    const lines: string[] = [];
    const log = createLog((line) => lines.push(line));
    log('agent.report', 'failed', {
      status: 503,
      error: 'service unavailable',
      skipped: undefined,
      pid: null,
    });
    assert.deepEqual(lines, ['agent.report: failed status=503 error="service unavailable" pid=null\n']);
  });

  it('shortens a token to its first nine characters', () => {
    assert.equal(tokenPrefix('lmct_abcdefghijklmnop'), 'lmct_abcd…');
  });
});
