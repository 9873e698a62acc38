import { existsSync, readFileSync } from 'node:fs';
import { arch, hostname as osHostname, platform } from 'node:os';
import { resolve } from 'node:path';
import { generateAgentKeyPair } from '@linkmesh/contracts/sealed-token';
import {
  agentConfigSchema,
  saveAgentConfig,
  type AgentConfig,
  type AgentConfigInput,
} from '../config/agent-config.ts';
import { writeBootstrapAlloy } from '../config/bootstrap-alloy.ts';
import { defaultCollectorArgs, resolveConfigPath } from '../config/paths.ts';
import { AgentExit, exitCodes } from '../platform/exit-codes.ts';
import { tokenPrefix } from '../platform/log.ts';
import { redeemEnrollmentToken } from '../server/bootstrap.client.ts';
import type { HttpFailure } from '../server/http.ts';

export interface EnrollOptions {
  server: string;
  token: string;
  config?: string;
  alloyConfig: string;
  collectorBinary: string;
  hostname?: string;
  force: boolean;
  /** Hidden flag: overrides /etc/machine-id (cloned images share one). */
  hostId?: string;
  /** Hidden flag: where `run` keeps its state. */
  stateFile: string;
}

/**
 * `linkmesh-agent enroll`: redeems the enrollment token at `POST /api/v1/bootstrap` and writes
 * the bootstrap config.alloy, then config.yaml — in that order, so an existing config.yaml
 * always means a complete enrolment.
 */
export async function enrollCommand(options: EnrollOptions): Promise<number> {
  const configPath = resolve(resolveConfigPath(options.config));
  if (existsSync(configPath) && !options.force)
    throw new AgentExit(
      `already enrolled (${configPath} exists); pass --force to enrol again as a new collector`,
      exitCodes.alreadyEnrolled,
    );
  const serverUrl = normaliseServerUrl(options.server);
  const hostname = options.hostname ?? osHostname();
  const keys = generateAgentKeyPair();
  const hostId = options.hostId ?? readMachineId();
  const answer = await redeemEnrollmentToken(serverUrl, {
    token: options.token,
    hostname,
    runtime: 'alloy',
    os: platform(),
    arch: arch(),
    agentPublicKey: keys.publicKey,
    ...(hostId === undefined ? {} : { hostId }),
  });
  if ('kind' in answer)
    throw new AgentExit(describeRefusal(answer, serverUrl, options.token), exitCodes.failed);

  const alloyConfigPath = resolve(options.alloyConfig);
  const collectorBinary = resolve(options.collectorBinary);
  const config: AgentConfig = agentConfigSchema.parse({
    server: serverUrl,
    collectorId: answer.collectorId,
    collectorToken: answer.collectorToken,
    hostname,
    runtime: 'alloy',
    endpoints: answer.endpoints,
    agentKeys: keys,
    collector: {
      binary: collectorBinary,
      args: defaultCollectorArgs(alloyConfigPath),
      configPath: alloyConfigPath,
    },
    stateFile: resolve(options.stateFile),
    enrolledAt: new Date().toISOString(),
  } satisfies AgentConfigInput);
  writeBootstrapAlloy(config);
  saveAgentConfig(configPath, config);
  process.stdout.write(
    [
      `Enrolled ${hostname} as collector ${config.collectorId} (mode managed) on ${serverUrl}`,
      `  bearer:       ${tokenPrefix(config.collectorToken)}`,
      `  agent config: ${configPath}`,
      `  alloy config: ${alloyConfigPath}`,
      `Next: linkmesh-agent run${options.config === undefined ? '' : ` --config ${configPath}`} (or start the linkmesh-agent service)`,
      '',
    ].join('\n'),
  );
  return exitCodes.ok;
}

function normaliseServerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AgentExit(
      `--server must be a URL such as https://fleet.example.com (got ${value})`,
      exitCodes.usage,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AgentExit(`--server must be an http(s) URL (got ${value})`, exitCodes.usage);
  return url.toString().replace(/\/+$/, '');
}

/** systemd's stable host id; absent in some containers, then the server binds the token to the hostname. */
function readMachineId(): string | undefined {
  try {
    const id = readFileSync('/etc/machine-id', 'utf8').trim();
    return id === '' ? undefined : id;
  } catch {
    return undefined;
  }
}

/** The server's own message, plus what to do about the common refusals. The token is never printed whole. */
function describeRefusal(failure: HttpFailure, serverUrl: string, token: string): string {
  const which = `enrollment token ${tokenPrefix(token)}`;
  switch (failure.kind) {
    case 'unreachable':
      return `cannot reach ${serverUrl}: ${failure.message}`;
    case 'invalid_answer':
      return `unexpected answer from ${serverUrl} (HTTP ${failure.status}): ${failure.message}; is this a LinkMesh server of the same version?`;
    case 'status':
      return `the server refused the ${which} (HTTP ${failure.status}${failure.code === null ? '' : ` ${failure.code}`}): ${failure.message}${refusalHint(failure.status)}`;
  }
}

function refusalHint(status: number): string {
  if (status === 410)
    return '\n  The token was already used by another host; mint a new one in the LinkMesh UI.';
  if (status === 401)
    return '\n  The token is unknown, revoked or expired; mint a new one in the LinkMesh UI.';
  return '';
}
