import { generateKeyPairSync } from 'node:crypto';
import type { ServerProcess } from './server-process.ts';

/**
 * Valid credentials of every kind a fuzzing or bomb run presents, minted over the real API of a
 * spawned server the way an operator and the agents get them.
 */
export interface FleetCredentials {
  /** `lmsat_` Admin token (REST). */
  readonly admin: string;
  /** The first admin's login. */
  readonly login: { readonly username: string; readonly password: string };
  /** `lmct_` of an Alloy collector (OTLP, remotecfg). */
  readonly alloyBearer: string;
  /** `lmct_` of a second Alloy collector, spent on UnregisterCollector (which deregisters it). */
  readonly unregisterBearer: string;
  /** `lmct_` of an otelcol collector (OpAMP). */
  readonly otelcolBearer: string;
  /** `lmct_` of a Managed collector, from a real `/bootstrap` redemption (agent reports). */
  readonly managedBearer: string;
  /** Unused `lmet_` enrollment tokens (OpAMP first contact, `/bootstrap`); each redeems once. */
  readonly enrollmentTokens: readonly string[];
  /** A collector whose bearer may be rotated freely (rotate-token). */
  readonly rotationCollectorId: string;
}

async function json<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function collectorWithBearer(
  server: ServerProcess,
  name: string,
  runtime: 'alloy' | 'otelcol',
): Promise<{ id: string; token: string }> {
  const { id } = await json<{ id: string }>(
    await server.api('/api/v1/collectors', { method: 'POST', json: { name, runtime } }),
    `create collector ${name}`,
  );
  const { token } = await json<{ token: string }>(
    await server.api(`/api/v1/collectors/${id}/token`, { method: 'POST', json: {} }),
    `mint bearer for ${name}`,
  );
  return { id, token };
}

async function enrollmentToken(server: ServerProcess): Promise<string> {
  const { token } = await json<{ token: string }>(
    await server.api('/api/v1/enrollment-tokens', { method: 'POST', json: {} }),
    'mint enrollment token',
  );
  return token;
}

/** The agent's X25519 public key as `/bootstrap` takes it (base64url of the 32 raw bytes). */
function agentPublicKey(): string {
  const { publicKey } = generateKeyPairSync('x25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32).toString('base64url');
}

export async function mintFleetCredentials(
  server: ServerProcess,
  spareEnrollmentTokens = 4,
): Promise<FleetCredentials> {
  const alloy = await collectorWithBearer(server, 'fuzz-alloy', 'alloy');
  const unregister = await collectorWithBearer(server, 'fuzz-alloy-unregister', 'alloy');
  const otelcol = await collectorWithBearer(server, 'fuzz-otelcol', 'otelcol');
  const rotation = await collectorWithBearer(server, 'fuzz-rotation', 'alloy');
  const bootstrapToken = await enrollmentToken(server);
  const managed = await json<{ collectorToken: string }>(
    await fetch(`${server.url}/api/v1/bootstrap`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bootstrapToken}` },
      body: JSON.stringify({
        token: bootstrapToken,
        hostname: 'fuzz-managed-host',
        hostId: 'fuzz-managed-host-id',
        agentPublicKey: agentPublicKey(),
      }),
    }),
    'bootstrap a managed collector',
  );
  const enrollmentTokens: string[] = [];
  for (let i = 0; i < spareEnrollmentTokens; i++) enrollmentTokens.push(await enrollmentToken(server));
  return {
    admin: server.adminToken,
    login: { username: 'admin', password: server.adminPassword },
    alloyBearer: alloy.token,
    unregisterBearer: unregister.token,
    otelcolBearer: otelcol.token,
    managedBearer: managed.collectorToken,
    enrollmentTokens,
    rotationCollectorId: rotation.id,
  };
}
