import type { Kysely } from 'kysely';

/**
 * One reversible migration, written once for both dialects. `types` papers over the few DDL
 * differences (auto-increment keys). Migrations are never edited after they land: add a new one.
 */
export interface Migration {
  readonly name: string;
  up(db: Kysely<unknown>, types: DialectTypes): Promise<void>;
  down(db: Kysely<unknown>, types: DialectTypes): Promise<void>;
}

export interface DialectTypes {
  readonly dialect: 'sqlite' | 'postgres';
  /** Column type of an auto-incrementing 64-bit primary key. */
  readonly autoIncrementKey: 'integer' | 'bigserial';
}

export function dialectTypes(dialect: 'sqlite' | 'postgres'): DialectTypes {
  return { dialect, autoIncrementKey: dialect === 'sqlite' ? 'integer' : 'bigserial' };
}
