import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { StorageTarget } from '../storage/open-storage.ts';
import { configKeys, configSchema, envNameOf, type ParsedConfig } from './config.schema.ts';

export const defaultConfigFile = '/etc/linkmesh/config.yaml';

/**
 * Variables of LinkMesh's own clients, not server configuration: the simulator's and the
 * README examples' `LINKMESH_TOKEN`, linkmesh-agent's `LINKMESH_AGENT_*`. A shell that exported
 * them for a client can still start the server.
 */
const clientVariables = new Set(['LINKMESH_TOKEN']);

/** The server's configuration after defaults, derivations and validation. */
export interface Config extends ParsedConfig {
  readonly externalUrl: string;
  /** True when `externalUrl` was derived from `listen` rather than configured. */
  readonly externalUrlDerived: boolean;
  readonly listenHost: string;
  readonly listenPort: number;
  readonly storage: StorageTarget;
  /** Where the configuration came from, for the start-up log. */
  readonly sources: readonly string[];
}

/** Thrown for any bad configuration; the message names the key (and its env variable). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads the configuration: the file (`--config FILE`, else `LINKMESH_CONFIG`, else
 * /etc/linkmesh/config.yaml when it exists), then `LINKMESH_*` environment variables on top.
 * This module is the only reader of `process.env` in the server.
 */
export function loadConfig(
  options: { configFile?: string | undefined; env?: NodeJS.ProcessEnv } = {},
): Config {
  const env = options.env ?? process.env;
  const explicitFile = options.configFile ?? env.LINKMESH_CONFIG;
  const file = explicitFile ?? (existsSync(defaultConfigFile) ? defaultConfigFile : undefined);
  const sources: string[] = [];
  let fromFile: Record<string, unknown> = {};
  if (file !== undefined) {
    fromFile = readConfigFile(file);
    sources.push(file);
  }
  const fromEnv: Record<string, string> = {};
  for (const key of configKeys) {
    const value = env[envNameOf(key)];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  if (Object.keys(fromEnv).length > 0) sources.push('environment');
  const unknownEnv = Object.keys(env).filter(
    (name) =>
      name.startsWith('LINKMESH_') &&
      name !== 'LINKMESH_CONFIG' &&
      !clientVariables.has(name) &&
      !name.startsWith('LINKMESH_AGENT_') &&
      !name.startsWith('LINKMESH_TEST_') &&
      !configKeys.some((key) => envNameOf(key) === name),
  );
  if (unknownEnv.length > 0) {
    throw new ConfigError(
      `unknown configuration variable ${unknownEnv.join(', ')} (see docs/configuration.md)`,
    );
  }
  return finish(parseConfig({ ...fromFile, ...fromEnv }), sources);
}

/** Validates raw key/values; errors name the key and its environment variable. */
export function parseConfig(raw: Record<string, unknown>): ParsedConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.length > 0 ? issue.path.map(String).join('.') : '';
    if (issue.code === 'unrecognized_keys') {
      return `unknown configuration key ${issue.keys.join(', ')}`;
    }
    return `${key} (${envNameOf(key)}): ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must be a YAML mapping of keys to values`);
  }
  return parsed as Record<string, unknown>;
}

function finish(parsed: ParsedConfig, sources: string[]): Config {
  const separator = parsed.listen.lastIndexOf(':');
  const listenHost = parsed.listen.slice(0, separator).replace(/^\[(.*)\]$/, '$1');
  const listenPort = Number(parsed.listen.slice(separator + 1));
  const dataDir = resolve(parsed.dataDir);
  const scheme = parsed.tlsCertFile ? 'https' : 'http';
  const wildcard = listenHost === '0.0.0.0' || listenHost === '::';
  const publicHost = wildcard ? hostname() : listenHost.includes(':') ? `[${listenHost}]` : listenHost;
  const externalUrl = (parsed.externalUrl ?? `${scheme}://${publicHost}:${listenPort}`).replace(/\/+$/, '');
  const databaseUrl = parsed.databaseUrl;
  const storage: StorageTarget =
    databaseUrl?.startsWith('postgres') === true
      ? { kind: 'postgres', url: databaseUrl, poolSize: parsed.databasePoolSize }
      : {
          kind: 'sqlite',
          file: databaseUrl ? resolve(databaseUrl.slice('sqlite:'.length)) : resolve(dataDir, 'linkmesh.db'),
        };
  return {
    ...parsed,
    dataDir,
    externalUrl,
    externalUrlDerived: parsed.externalUrl === undefined,
    listenHost,
    listenPort,
    storage,
    sources,
  };
}
