import { resolve } from 'node:path';
import { loadAgentConfig } from '../config/agent-config.ts';
import { resolveConfigPath } from '../config/paths.ts';
import { exitCodes } from '../platform/exit-codes.ts';
import { createLog } from '../platform/log.ts';
import { AgentRuntime } from '../run/agent-runtime.ts';

/**
 * `linkmesh-agent run`: supervises the collector until SIGTERM or SIGINT, then stops it cleanly
 * and exits 0. A second signal while stopping is ignored: the stop timeout bounds the wait.
 */
export async function runCommand(options: { config?: string }): Promise<number> {
  const configPath = resolve(resolveConfigPath(options.config));
  const config = loadAgentConfig(configPath);
  const log = createLog();
  const runtime = new AgentRuntime(config, configPath, log);
  const signal = await new Promise<NodeJS.Signals>((resolveSignal) => {
    const onSignal = (received: NodeJS.Signals) => resolveSignal(received);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    runtime.start();
  });
  // Keep later signals from killing the agent before the collector has stopped.
  process.on('SIGTERM', () => undefined);
  process.on('SIGINT', () => undefined);
  log('agent.run', 'stopping', { signal });
  await runtime.stop();
  return exitCodes.ok;
}
