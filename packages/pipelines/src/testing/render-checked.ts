import assert from 'node:assert/strict';
import { renderAlloyConfig } from '../render-alloy.ts';
import { renderOtelConfig } from '../render-otel.ts';
import type { RenderInput, RenderResult } from '../render-input.ts';
import { checkAlloyConfig, checkOtelConfig } from '../structure-checks.ts';
import { configHashHex } from '../hash.ts';

/** Every render in the tests goes through here: a successful one must pass the structural checks. */
export function assertWellFormed(input: RenderInput, result: RenderResult): void {
  if (!result.ok) return;
  assert.equal(result.hashHex, configHashHex(result.text), 'hashHex is the SHA-256 of the text');
  const check = input.collector.runtime === 'otelcol' ? checkOtelConfig : checkAlloyConfig;
  assert.deepEqual(check(result.text, { version: input.collector.version }), [], result.text);
}

export function renderOtelChecked(input: RenderInput): RenderResult {
  const result = renderOtelConfig(input);
  assertWellFormed(input, result);
  return result;
}

/** The golden form of a result: the text, or the refusals one per line. */
export const goldenText = (result: RenderResult): string =>
  result.ok ? result.text : `${result.refusals.map((r) => `${r.routeId}: ${r.message}`).join('\n')}\n`;

export function renderAlloyChecked(input: RenderInput): RenderResult {
  const result = renderAlloyConfig(input);
  assertWellFormed(input, result);
  return result;
}
