import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.ts';
import { AuthService } from './domain/auth/auth.service.ts';
import { EnrollmentService } from './domain/enrollment/enrollment.service.ts';
import { BearerCache } from './domain/fleet/bearer-cache.ts';
import { CollectorAuthenticator } from './domain/fleet/collector-auth.ts';
import { AuthThrottle } from './domain/shared/auth-throttle.ts';
import { AlloyPollingService } from './domain/remotecfg/alloy-polling.service.ts';
import { CollectorCache } from './domain/fleet/collector-cache.ts';
import { ManagedAgentService } from './domain/managed/managed-agent.service.ts';
import { FleetService } from './domain/fleet/fleet.service.ts';
import { OpampService } from './domain/opamp/opamp.service.ts';
import { CollectorConfigService } from './domain/collector-config/collector-config.service.ts';
import { CollectorRenderer } from './domain/collector-config/collector-renderer.ts';
import { PipelineObjectsService } from './domain/pipelines/pipeline-objects.service.ts';
import { FleetDefaultConfig } from './domain/collector-config/fleet-default-config.ts';
import { TelemetryTokens } from './domain/fleet/telemetry-token.ts';
import { SecretBox } from './domain/shared/secret-box.ts';
import { SelfTelemetryIngest } from './domain/telemetry/self-telemetry.ingest.ts';
import { ThroughputQuery } from './domain/telemetry/throughput.query.ts';
import { systemClock, type Clock } from './domain/shared/clock.ts';
import type { Storage } from './domain/shared/storage.port.ts';
import { startCredentialSweep } from './jobs/credential-sweep.job.ts';
import { startDesiredConfigRefresh } from './jobs/desired-config-refresh.job.ts';
import { startPollingLiveness } from './jobs/polling-liveness.job.ts';
import { startThroughputTtl } from './jobs/throughput-ttl.job.ts';
import type { Logger } from './platform/logger.ts';
import { ServerMetrics } from './platform/metrics.ts';
import { loadServerSecret } from './platform/server-secret.ts';
import { apiAuthentication } from './protocols/http/auth.hooks.ts';
import { csrfProtection } from './protocols/http/csrf.hooks.ts';
import { registerDownloadRoutes } from './protocols/http/downloads/downloads.routes.ts';
import { createHttpServer } from './protocols/http/http-server.ts';
import { registerAccessRoutes } from './protocols/http/routes/access.routes.ts';
import { registerAuthRoutes } from './protocols/http/routes/auth.routes.ts';
import { registerAgentRoutes } from './protocols/http/routes/agent.routes.ts';
import { registerBootstrapRoutes } from './protocols/http/routes/bootstrap.routes.ts';
import { registerCollectorConfigRoutes } from './protocols/http/routes/collector-config.routes.ts';
import { registerConfigSettingsRoutes } from './protocols/http/routes/config-settings.routes.ts';
import { registerPipelineObjectRoutes } from './protocols/http/routes/pipeline-objects.routes.ts';
import { registerRenderPreviewRoutes } from './protocols/http/routes/render-preview.routes.ts';
import { registerCollectorRoutes } from './protocols/http/routes/collectors.routes.ts';
import { registerEnrollmentTokenRoutes } from './protocols/http/routes/enrollment-tokens.routes.ts';
import { registerHealthRoutes } from './protocols/http/routes/health.routes.ts';
import { registerThroughputRoutes } from './protocols/http/routes/throughput.routes.ts';
import { registerTopologyRoutes } from './protocols/http/routes/topology.routes.ts';
import { TopologyService } from './domain/topology/topology.service.ts';
import { TopologyChanges } from './domain/topology/topology-changes.ts';
import { FleetTopologyService } from './domain/topology/fleet-topology.ts';
import { NamingMismatchDetector, type NamingCheckSettings } from './domain/topology/naming-mismatch.ts';
import { TelemetryRejections } from './domain/telemetry/telemetry-rejections.ts';
import { registerOtlpRoutes } from './protocols/otlp/otlp.routes.ts';
import { registerOpampTransport } from './protocols/opamp/opamp.transport.ts';
import { registerRemotecfgRoutes } from './protocols/remotecfg/remotecfg.routes.ts';
import { openStorage } from './storage/open-storage.ts';

export interface RunningServer {
  readonly app: FastifyInstance;
  /** Base URL of the listener as bound (the real port when 0 was asked for). */
  readonly url: string;
  readonly config: Config;
  /** The external URL in force (a derived one carries the real port when 0 was asked for). */
  readonly externalUrl: string;
  readonly storage: Storage;
  /** Writes buffered self-telemetry now (tests; shutdown does it by itself). */
  flushTelemetry(): Promise<void>;
  /** Runs the polling-collector liveness sweep now (it also runs every 30 s). */
  sweepPollingLiveness(): Promise<number>;
  /** Runs the OpAMP liveness sweep now (it also runs every few seconds). */
  sweepOpampLiveness(): Promise<number>;
  /** Re-reads the desired config other replicas may have changed now (it also runs every 5 s). */
  refreshDesiredConfig(): Promise<boolean>;
  /** Checks the component names of committed pushes against the configs now (it also runs every 5 s). */
  checkComponentNaming(): Promise<void>;
  /** Present on the first start only: the generated or configured first admin, to print once. */
  readonly firstAdmin: { username: string; password: string; generated: boolean } | undefined;
  /** Graceful shutdown: stop accepting, drain in-flight requests, close storage. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly webRoot?: string;
  /** How long bearer verifications and collector liveness are cached (tests shorten them). */
  readonly cacheTtls?: { readonly verifiedTtlMs: number; readonly liveTtlMs: number };
  /** `component_naming_mismatch` checks (tests shorten the grace after a config is applied). */
  readonly namingChecks?: NamingCheckSettings;
  /** How often a live topology stream re-reads without a change on this replica (default 15 s). */
  readonly topologyStreamRefreshMs?: number;
  /** Live topology streams open at once on this server (default 1,000; past it 503). */
  readonly topologyMaxStreams?: number;
}

const defaultWebRoot = fileURLToPath(new URL('../../web/dist', import.meta.url));

/**
 * The composition root: opens storage, builds the domain services and the protocol adapters,
 * and starts listening. Nothing else wires layers together.
 */
export async function startServer(config: Config, options: StartOptions): Promise<RunningServer> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const metrics = new ServerMetrics();

  const startedMs = Date.now();
  const { storage, migrations } = await openStorage(config.storage, {
    onQuery: metrics.storageQueryObserver(config.storage.kind),
    onWarning: (message) => logger.warn({ message }, 'storage.warning'),
  });
  logger.info(
    {
      dialect: storage.dialect,
      applied: migrations.applied,
      alreadyApplied: migrations.alreadyApplied,
      durationMs: Date.now() - startedMs,
    },
    'storage.migrate',
  );

  let app: FastifyInstance | undefined;
  try {
    const secret = loadServerSecret(config.dataDir, config.serverSecret);
    if (secret.generated) logger.info({ dataDir: config.dataDir }, 'server.secret: generated');

    // One failed-authentication throttle for every credential kind and the login (issue #9).
    const throttle = new AuthThrottle(clock, {
      failuresPerWindow: config.authFailuresPerWindow,
      windowSeconds: config.authFailureWindowSeconds,
      loginFailuresPerUserPerWindow: config.loginFailuresPerUserPerWindow,
    });
    const auth = new AuthService(storage, clock, { sessionTtlSeconds: config.sessionTtlSeconds }, throttle);
    const enrollment = new EnrollmentService(
      storage,
      clock,
      {
        defaultTtlSeconds: config.enrollmentTokenTtlSeconds,
        maxTtlSeconds: config.enrollmentTokenMaxTtlSeconds,
      },
      throttle,
    );
    const fleet = new FleetService(storage, clock);
    const bearers = new BearerCache(fleet, clock, {
      ...(options.cacheTtls ?? { verifiedTtlMs: 10_000, liveTtlMs: 5_000 }),
      maxEntries: 500_000,
    });
    const telemetryRejections = new TelemetryRejections(storage, clock, (error) =>
      logger.warn({ err: error }, 'telemetry.rejection: not recorded'),
    );
    const collectorAuth = new CollectorAuthenticator(bearers, throttle, telemetryRejections);
    const topologyChanges = new TopologyChanges();
    // Live streams end when shutdown begins, or they would hold the drain until its grace ends.
    const streamsClosing = new AbortController();
    const collectorCache = new CollectorCache(fleet, clock, {
      ttlMs: options.cacheTtls?.liveTtlMs ?? 5_000,
      maxEntries: 200_000,
    });
    fleet.addListener(collectorCache);
    const namingChecks = new NamingMismatchDetector(
      {
        clock,
        // `topology` is built below, with the config service; checks run only once pushes arrive.
        graphOf: async (collectorId) => {
          const collector = await collectorCache.get(collectorId);
          return collector && collector.deregisteredAtMs === null ? topology.graphOf(collector) : undefined;
        },
        record: (event) => storage.events.append(event),
        onError: (error) => logger.warn({ err: error }, 'topology.naming: check failed'),
      },
      options.namingChecks,
    );
    const managed = new ManagedAgentService(storage, fleet, clock);
    fleet.addListener(managed);
    const ingest = new SelfTelemetryIngest(
      storage,
      clock,
      (collectorId) => bearers.isLive(collectorId),
      { commitDelayMs: 0, maxBufferedPushes: 50_000 },
      {
        flushed: (report) => {
          metrics.telemetryFlushDuration.observe(report.durationMs / 1000);
          metrics.telemetryPushesWritten.inc(report.pushes);
          if (report.durationMs > 250) logger.warn(report, 'telemetry.flush: slow');
        },
        failed: (error) => logger.error({ err: error }, 'telemetry.flush: failed'),
        committed: (batches, collectorIds) => {
          namingChecks.observe(batches);
          topologyChanges.collectorsChanged(collectorIds);
        },
        instanceIdentified: (collectorId, serviceInstanceId) => {
          fleet.adoptAlloyHostname(collectorId, serviceInstanceId).catch((error: unknown) => {
            logger.warn({ err: error, collectorId }, 'telemetry.hostname: update failed');
          });
        },
      },
    );
    const throughput = new ThroughputQuery(storage, clock);
    const fleetDefault = new FleetDefaultConfig(storage, clock);
    await fleetDefault.refresh();
    const secretBox = new SecretBox(secret.secret);
    const telemetryTokens = new TelemetryTokens(storage.credentials, secretBox, clock);
    const pipelineObjects = new PipelineObjectsService(storage, clock, secretBox);

    await auth.ensureBuiltInRoles();
    const firstAdmin = await auth.seedFirstAdmin(config.adminPassword);
    if (config.adminToken !== undefined) await auth.seedAdminToken(config.adminToken);

    let shuttingDown = false;
    const { app: server, rawRoutes } = await createHttpServer({
      logger,
      metrics,
      webRoot: options.webRoot ?? defaultWebRoot,
      jsonLimits: { maxBodyBytes: config.apiMaxBodyBytes, maxDepth: config.jsonMaxDepth },
      trustedProxies: config.trustedProxies,
      timeouts: {
        headersSeconds: config.httpHeadersTimeoutSeconds,
        requestSeconds: config.httpRequestTimeoutSeconds,
        keepAliveSeconds: config.httpKeepAliveTimeoutSeconds,
      },
      maxConnectionsPerAddress: config.maxConnectionsPerAddress,
      tls:
        config.tlsCertFile && config.tlsKeyFile
          ? { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) }
          : undefined,
    });
    app = server;
    const nowMs = () => clock.nowMs();
    // Derived from `listen`; fixed up after binding when the port was 0 (tests, ephemeral runs).
    let externalUrl = config.externalUrl;
    const currentExternalUrl = () => externalUrl;
    const renderer = new CollectorRenderer({
      tokens: telemetryTokens,
      externalUrl: currentExternalUrl,
      fleetDefaultYaml: () => fleetDefault.current(),
      objects: pipelineObjects,
      counters: metrics.renderCounters(),
    });
    const collectorConfig = new CollectorConfigService(storage, clock, fleet, renderer.render, {
      cacheTtlMs: 60_000,
      maxCachedCollectors: 200_000,
    });
    fleetDefault.onChange(() => collectorConfig.changed());
    pipelineObjects.onChanged(() => collectorConfig.changed());
    pipelineObjects.onSnapshot((snapshot) => fleet.knownSecrets.set(snapshot.secrets.values()));
    await pipelineObjects.snapshot();
    // Tokens first: the config service re-renders on rotation and must not get the old token.
    fleet.addListener(telemetryTokens);
    fleet.addListener(collectorConfig);
    const opamp = new OpampService(storage, clock, fleet, enrollment, collectorAuth, collectorConfig);
    // Before authentication: a forged cross-site write is refused before its cookie is looked up.
    server.addHook('onRequest', csrfProtection({ externalUrl: currentExternalUrl, logger }));
    server.addHook('onRequest', apiAuthentication(auth));
    registerHealthRoutes(server, { storage, metrics, isShuttingDown: () => shuttingDown });
    registerAuthRoutes(server, {
      auth,
      secureCookies: config.tlsCertFile !== undefined || config.externalUrl.startsWith('https:'),
      sessionTtlSeconds: config.sessionTtlSeconds,
    });
    registerEnrollmentTokenRoutes(server, { enrollment });
    registerCollectorRoutes(server, { fleet, managed, externalUrl: currentExternalUrl, nowMs });
    registerAccessRoutes(server, { auth, audit: storage.audit, nowMs });
    registerBootstrapRoutes(server, { enrollment, fleet, managed, externalUrl: currentExternalUrl, logger });
    registerAgentRoutes(server, { auth: collectorAuth, managed, logger });
    registerThroughputRoutes(server, { fleet, throughput });
    const topology = new TopologyService({
      clock,
      config: collectorConfig,
      objects: pipelineObjects,
      reportedConfig: async (collector) =>
        (await opamp.agentOf(collector.id))?.effectiveConfig ??
        (await fleet.reportedEffectiveConfig(collector.id))?.text,
      components: (collectorId, filter) => throughput.components(collectorId, filter),
      rawRows: (collectorId, filter) => throughput.rawRows(collectorId, filter),
      ...(options.namingChecks ? { namingGraceMs: options.namingChecks.graceMs } : {}),
      events: (collectorId, filter) => storage.events.list(collectorId, { sinceMs: 0, ...filter }),
    });
    collectorConfig.onChanged((collectorId) => {
      namingChecks.configChanged(collectorId);
      if (collectorId === undefined) topologyChanges.everythingChanged();
      else topologyChanges.collectorsChanged([collectorId]);
    });
    const fleetTopology = new FleetTopologyService({
      clock,
      objects: pipelineObjects,
      fleet: (asOfMs) => fleet.wholeFleet(asOfMs),
      busiest: (asOfMs, limit) => fleet.listFleet({ limit, asOfMs, sort: 'recordsInPerSec', order: 'desc' }),
    });
    registerTopologyRoutes(server, {
      fleet,
      topology,
      fleetTopology,
      changes: topologyChanges,
      maxStreams: options.topologyMaxStreams ?? 1_000,
      closing: streamsClosing.signal,
      streamRefreshMs: options.topologyStreamRefreshMs ?? 15_000,
    });
    registerCollectorConfigRoutes(server, { fleet, opamp, config: collectorConfig });
    registerConfigSettingsRoutes(server, { fleetDefault });
    registerPipelineObjectRoutes(server, { objects: pipelineObjects, fleet, renderer });
    registerRenderPreviewRoutes(server, {
      objects: pipelineObjects,
      fleet,
      renderer,
      config: collectorConfig,
    });
    registerDownloadRoutes(server, { externalUrl: currentExternalUrl, logger });
    registerOtlpRoutes(server, {
      auth: collectorAuth,
      ingest,
      logger,
      maxBodyBytes: config.otlpMaxBodyBytes,
      maxCompressedBodyBytes: config.otlpMaxCompressedBodyBytes,
      maxJsonDepth: config.jsonMaxDepth,
    });
    const alloyPolling = new AlloyPollingService(fleet, collectorCache, clock, collectorConfig, {
      registered: (collectorId, id, method) =>
        logger.info({ collectorId, id, method }, 'remotecfg.registered'),
      identityChanged: (collectorId, id, firstId) =>
        logger.warn({ collectorId, id, firstId }, 'remotecfg.identity: changed'),
      configFailed: (collectorId, hash, error) =>
        // The error often quotes the config, bearer included; logs are at rest too.
        logger.warn({ collectorId, hash, error: fleet.redactReported(error) }, 'remotecfg.status: failed'),
      configServed: (collectorId, hash) => logger.info({ collectorId, hash }, 'remotecfg.config: served'),
    });
    registerRemotecfgRoutes(server, {
      rawRoutes,
      auth: collectorAuth,
      polling: alloyPolling,
      logger,
      maxBodyBytes: config.remotecfgMaxBodyBytes,
      maxJsonDepth: config.jsonMaxDepth,
    });
    const opampTransport = registerOpampTransport(server, {
      opamp,
      fleet,
      clock,
      logger,
      externalUrl: currentExternalUrl,
      maxMessageBytes: config.opampMaxMessageBytes,
      maxCompressedBodyBytes: config.opampMaxCompressedBodyBytes,
      heartbeatIntervalSeconds: config.opampHeartbeatIntervalSeconds,
      maxConnections: config.opampMaxConnections,
      fanOutObserver: metrics.fanOutObserver(),
    });

    const sweep = startCredentialSweep({ storage, clock, logger });
    const pollingLiveness = startPollingLiveness({ fleet, logger });
    const desiredConfigRefresh = startDesiredConfigRefresh({ fleetDefault, pipelineObjects, logger });
    const throughputTtl = startThroughputTtl({
      storage,
      clock,
      logger,
      retentionHours: config.throughputRetentionHours,
    });
    ingest.start();

    // A deeper accept queue than node's 511: thousands of agents reconnecting after a restart
    // overflowed it, and a dropped handshake waits for TCP's retransmit (1 s, 3 s, 7 s), health
    // probes included. The kernel caps it at net.core.somaxconn.
    await server.listen({ host: config.listenHost, port: config.listenPort, backlog: 4096 });
    const address = server.server.address();
    const port = typeof address === 'object' && address ? address.port : config.listenPort;
    const scheme = config.tlsCertFile ? 'https' : 'http';
    const host = config.listenHost.includes(':') ? `[${config.listenHost}]` : config.listenHost;
    const url = `${scheme}://${host}:${port}`;
    if (config.externalUrlDerived && config.listenPort === 0)
      externalUrl = externalUrl.replace(/:0$/, `:${port}`);
    logger.info({ url, externalUrl, storage: storage.dialect, sources: config.sources }, 'server.listening');

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        shuttingDown = true;
        logger.info({ graceSeconds: config.shutdownGraceSeconds }, 'server.shutdown: draining');
        streamsClosing.abort();
        sweep.stop();
        pollingLiveness.stop();
        desiredConfigRefresh.stop();
        opampTransport.close();
        throughputTtl.stop();
        const force = setTimeout(() => {
          logger.warn('server.shutdown: grace period over, closing remaining connections');
          server.server.closeAllConnections();
        }, config.shutdownGraceSeconds * 1000);
        try {
          await server.close();
        } finally {
          clearTimeout(force);
          await ingest.stop();
          await namingChecks.stop();
          await storage.close();
        }
        logger.info('server.shutdown: complete');
      })();
      return closing;
    };
    return {
      app: server,
      url,
      config,
      externalUrl,
      storage,
      firstAdmin,
      close,
      flushTelemetry: () => ingest.flush(),
      sweepPollingLiveness: () => pollingLiveness.sweep(),
      sweepOpampLiveness: () => opampTransport.sweepLiveness(),
      refreshDesiredConfig: () => desiredConfigRefresh.refresh(),
      checkComponentNaming: async () => {
        await ingest.flush();
        await namingChecks.flush();
      },
    };
  } catch (error) {
    await app?.close();
    await storage.close();
    throw error;
  }
}
