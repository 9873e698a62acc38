import type { PrincipalView } from '@linkmesh/contracts/api';
import { createContext, useContext } from 'react';

/** Who is signed in, for pages that hide what the principal may not do. */
export const PrincipalContext = createContext<PrincipalView | undefined>(undefined);

/**
 * Whether the signed-in principal holds `permission` (`routes:create` …). The server enforces
 * every permission itself; this only keeps controls that would answer 403 out of the way.
 *
 * @example const canEdit = useCan('sources:update');
 */
export function useCan(permission: string): boolean {
  return useContext(PrincipalContext)?.permissions.includes(permission) ?? false;
}
