import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/config.ts';
import { startServer } from './main.ts';
import { createLogger } from './platform/logger.ts';

const usage = `Usage: linkmesh-server [--config FILE]

Starts the LinkMesh server. Configuration comes from FILE (or $LINKMESH_CONFIG, or
/etc/linkmesh/config.yaml when present) and LINKMESH_* environment variables; see
docs/configuration.md.`;

/** Process entry point: configuration, banner, signals. Exit code 2 means bad configuration. */
async function run(): Promise<void> {
  let args;
  try {
    args = parseArgs({ options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    process.exit(2);
  }
  if (args.values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  let config;
  try {
    config = loadConfig({ configFile: args.values.config });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`linkmesh-server: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const server = await startServer(config, { logger });

  const browseHost = ['0.0.0.0', '::'].includes(config.listenHost) ? 'localhost' : config.listenHost;
  const lines = [
    '',
    `  LinkMesh is running: ${server.url.replace(config.listenHost, browseHost)}`,
    `  External URL (collectors use this): ${server.externalUrl}`,
    `  Storage: ${server.storage.dialect}${config.storage.kind === 'sqlite' ? ` (${config.storage.file})` : ''}`,
  ];
  if (server.firstAdmin) {
    lines.push(
      server.firstAdmin.generated
        ? `  First start: admin user "${server.firstAdmin.username}", password: ${server.firstAdmin.password}`
        : `  First start: admin user "${server.firstAdmin.username}" created with LINKMESH_ADMIN_PASSWORD`,
    );
    if (server.firstAdmin.generated) lines.push('  (shown once; it is not stored anywhere in clear text)');
  }
  // The banner goes to stderr, outside the JSON log stream, so the password never lands in logs.
  process.stderr.write(lines.join('\n') + '\n\n');

  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, 'server.shutdown: signal received');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'server.shutdown: failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

run().catch((error: unknown) => {
  process.stderr.write(`linkmesh-server: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
