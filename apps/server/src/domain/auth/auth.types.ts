import type { Permission } from './permissions.ts';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly passwordHash: string;
  readonly createdAtMs: number;
  readonly disabledAtMs: number | null;
  readonly lastLoginAtMs: number | null;
}

export interface Role {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly permissions: readonly Permission[];
  readonly builtIn: boolean;
}

export interface ServiceAccount {
  readonly id: string;
  readonly name: string;
  readonly roleId: string;
  readonly createdAtMs: number;
  readonly createdBy: string;
  readonly disabledAtMs: number | null;
}

/** Who is calling: an operator (session cookie) or a service account (`lmsat_` bearer). */
export interface Principal {
  readonly kind: 'user' | 'service-account';
  readonly id: string;
  readonly name: string;
  readonly permissions: ReadonlySet<Permission>;
  /** Stable text for audit rows and `created_by` columns, e.g. `user:admin`. */
  readonly actor: string;
}
