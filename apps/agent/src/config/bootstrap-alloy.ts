import { renderBootstrapConfig } from '@linkmesh/alloy/render';
import { writeFileAtomic } from '../platform/atomic-write.ts';
import type { AgentConfig } from './agent-config.ts';

/**
 * Writes the bootstrap config.alloy (first line `// linkmesh-bootstrap`, the remotecfg block and
 * the self-telemetry pipeline) for the bearer in `config`, atomically and mode 0600. The server's
 * external URL from the bootstrap answer is what Alloy dials, not necessarily `--server`
 * (which may be an internal address the install script used).
 */
export function writeBootstrapAlloy(config: AgentConfig): void {
  writeFileAtomic(
    config.collector.configPath,
    renderBootstrapConfig({
      collectorId: config.collectorId,
      hostname: config.hostname,
      externalUrl: config.endpoints.server,
      bearerToken: config.collectorToken,
    }),
  );
}
