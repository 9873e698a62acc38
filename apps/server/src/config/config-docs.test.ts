import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { renderConfigDocs } from './config-docs.ts';

it('keeps docs/configuration.md in step with the configuration schema', () => {
  const committed = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
  assert.equal(committed, renderConfigDocs(), 'run `npm run docs:config` and commit the result');
});
