import type { EnrollmentTokenCreated, EnrollmentTokenView, Page } from '@linkmesh/contracts/api';
import { apiRequest } from './client.ts';

export function listEnrollmentTokens(): Promise<Page<EnrollmentTokenView>> {
  return apiRequest<Page<EnrollmentTokenView>>('/enrollment-tokens');
}

/** Mints an enrollment token; without `ttlSeconds` the server's default lifetime applies. */
export function createEnrollmentToken(ttlSeconds?: number): Promise<EnrollmentTokenCreated> {
  return apiRequest<EnrollmentTokenCreated>('/enrollment-tokens', {
    method: 'POST',
    json: ttlSeconds === undefined ? {} : { ttlSeconds },
  });
}

export async function revokeEnrollmentToken(id: string): Promise<void> {
  await apiRequest<undefined>(`/enrollment-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** The one-line installer for an OpAMP (otelcol-contrib) host, using this server's origin. */
/** The two one-line installers: otelcol-contrib + OpAMP supervisor, or Alloy + linkmesh-agent. */
export type Installer = 'opamp' | 'managed';

const installScripts: Record<Installer, string> = { opamp: 'install-opamp.sh', managed: 'install.sh' };

export function installCommand(
  installer: Installer,
  token: string,
  origin: string = window.location.origin,
): string {
  return `curl -fsSL ${origin}/api/v1/downloads/${installScripts[installer]} | sudo sh -s -- --token ${token}`;
}
