import { readFileSync } from 'node:fs';
import { openSealedToken } from '@linkmesh/contracts/sealed-token';
import { parseDocument } from 'yaml';
import { agentConfigSchema, describeIssues, type AgentConfig } from '../config/agent-config.ts';
import { writeBootstrapAlloy } from '../config/bootstrap-alloy.ts';
import { writeFileAtomic } from '../platform/atomic-write.ts';
import { tokenPrefix, type Log } from '../platform/log.ts';
import type { Rotation } from '../report/reporter.ts';

export type RotationResult =
  | { readonly kind: 'applied'; readonly config: AgentConfig }
  | { readonly kind: 'unchanged' }
  /** `retriable`: a write that may succeed next time; a box that did not open never will. */
  | { readonly kind: 'failed'; readonly reason: string; readonly retriable: boolean };

/**
 * Opens a rotated bearer and writes it to disk: the bootstrap config.alloy first, config.yaml
 * second. If the second write fails the agent keeps reporting with the old bearer, the server
 * keeps the rotation pending and offers it again; the reverse order could clear the rotation
 * on the server while Alloy still held the old bearer. The caller restarts the collector.
 */
export function applyRotation(
  rotation: Rotation,
  config: AgentConfig,
  configPath: string,
  log: Log,
): RotationResult {
  let bearer: string;
  try {
    bearer = openSealedToken(rotation.sealedToken, config.agentKeys, config.collectorId);
  } catch (error) {
    const reason = `cannot open the sealed bearer: ${error instanceof Error ? error.message : String(error)}`;
    log('agent.rotation', 'failed', { reason });
    return { kind: 'failed', reason, retriable: false };
  }
  // The server clears the rotation when it sees the new bearer; a report that raced it may see it once more.
  if (bearer === config.collectorToken) return { kind: 'unchanged' };
  const next: AgentConfig = { ...config, collectorToken: bearer };
  try {
    writeBootstrapAlloy(next);
    rewriteCollectorToken(configPath, bearer);
  } catch (error) {
    const reason = `cannot write the new bearer: ${error instanceof Error ? error.message : String(error)}`;
    log('agent.rotation', 'failed', { reason });
    return { kind: 'failed', reason, retriable: true };
  }
  log('agent.rotation', 'applied', {
    bearer: tokenPrefix(bearer),
    previous_valid_until: rotation.previousValidUntil,
  });
  return { kind: 'applied', config: next };
}

/**
 * Replaces only `collectorToken` in config.yaml, keeping the operator's comments and any edits
 * made since `run` started (the YAML document is edited, not regenerated).
 */
function rewriteCollectorToken(configPath: string, bearer: string): void {
  const document = parseDocument(readFileSync(configPath, 'utf8'));
  document.set('collectorToken', bearer);
  const checked = agentConfigSchema.safeParse(document.toJS());
  if (!checked.success)
    throw new Error(`${configPath} no longer validates: ${describeIssues(checked.error)}`);
  writeFileAtomic(configPath, document.toString({ lineWidth: 0 }));
}
