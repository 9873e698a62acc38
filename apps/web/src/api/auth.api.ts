import type { LoginRequest, PrincipalView } from '@linkmesh/contracts/api';
import { apiRequest } from './client.ts';

/** Signs in; the server sets the HttpOnly `lm_session` cookie. A 401/429 throws an ApiError. */
export async function login(credentials: LoginRequest): Promise<PrincipalView> {
  const body = await apiRequest<{ principal: PrincipalView }>('/auth/login', {
    method: 'POST',
    json: credentials,
    redirectOn401: false,
  });
  return body.principal;
}

export async function logout(): Promise<void> {
  await apiRequest<undefined>('/auth/logout', { method: 'POST', redirectOn401: false });
}

/** The signed-in principal, or null when there is no valid session. */
export async function currentPrincipal(): Promise<PrincipalView | null> {
  try {
    const body = await apiRequest<{ principal: PrincipalView | null | undefined }>('/auth/me', {
      redirectOn401: false,
    });
    return body.principal ?? null;
  } catch (error) {
    if (error instanceof Error && 'status' in error && error.status === 401) return null;
    throw error;
  }
}
