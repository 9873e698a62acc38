import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createTwoFilesPatch } from 'diff';
import { ConfigDiffs } from './config-diff.ts';

it('gives each collector the diff of its own templates, computed once for a shared change', () => {
  const diffs = new ConfigDiffs();
  const before = (id: string) => `# for ${id}\nreceivers:\n  otlp: {}\n`;
  const after = (id: string) => `# for ${id}\nreceivers:\n  otlp: {}\n  syslog: {}\n`;
  for (const id of ['c-1', 'c-2']) {
    const direct = createTwoFilesPatch('v4', 'v5', before(id), after(id), '', '', { context: 3 });
    assert.equal(diffs.between(id, { version: 4, template: before(id) }, after(id)), direct);
  }
});
