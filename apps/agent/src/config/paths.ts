/** Default locations on a Linux host (every one can be overridden; tests put all of them in a temp dir). */
export const defaultPaths = {
  config: '/etc/linkmesh-agent/config.yaml',
  alloyConfig: '/etc/alloy/config.alloy',
  collectorBinary: '/usr/bin/alloy',
  stateFile: '/var/lib/linkmesh-agent/state.json',
  alloyStorage: '/var/lib/alloy/data',
} as const;

/** `--config` wins, then `LINKMESH_AGENT_CONFIG`, then the default. */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag !== '') return flag;
  const fromEnv = env.LINKMESH_AGENT_CONFIG;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : defaultPaths.config;
}

/**
 * Alloy's command line under the agent. The HTTP server stays on loopback: the UI and
 * `/metrics` are for the host, and self-telemetry leaves through the bootstrap's OTLP exporter.
 */
export function defaultCollectorArgs(alloyConfigPath: string): string[] {
  return [
    'run',
    alloyConfigPath,
    `--storage.path=${defaultPaths.alloyStorage}`,
    '--server.http.listen-addr=127.0.0.1:12345',
  ];
}
