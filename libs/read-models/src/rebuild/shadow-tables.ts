import { EntityManager } from 'typeorm';
import { REBUILD_SUFFIX, ReadModelTable } from '../projection';
import { quoteIdent as q } from '../database/row-sql';

interface IndexInfo {
  name: string;
  def: string;
  constraint: string | null;
  condef: string | null;
  primary: boolean;
}

const shadowName = (name: string): string => {
  const shadow = `${name}${REBUILD_SUFFIX}`;
  // PostgreSQL would silently truncate a longer name and the switch could not rename it back.
  if (shadow.length > 63) throw new Error(`${shadow}: longer than PostgreSQL's 63-character identifier limit`);
  return shadow;
};

const indexesOf = (em: EntityManager, table: string): Promise<IndexInfo[]> =>
  em.query(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def, x.indisprimary AS primary, c.conname AS constraint, pg_get_constraintdef(c.oid) AS condef
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
     LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
     WHERE x.indrelid = $1::text::regclass ORDER BY i.relname`,
    [table],
  );

/**
 * An empty copy of the live table's columns, defaults and checks, plus its primary key (the
 * upserts need it). The structure is read from the live table, so later migrations carry over.
 */
export const createShadowTable = async (em: EntityManager, table: ReadModelTable): Promise<void> => {
  const shadow = shadowName(table.name);
  await em.query(`DROP TABLE IF EXISTS ${q(shadow)}`);
  await em.query(`CREATE TABLE ${q(shadow)} (LIKE ${q(table.name)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)`);
  for (const ix of await indexesOf(em, table.name)) {
    if (ix.primary) await em.query(`ALTER TABLE ${q(shadow)} ADD CONSTRAINT ${q(shadowName(ix.constraint!))} ${ix.condef}`);
  }
};

/** The remaining indexes, built once the rows are in (faster than maintaining them row by row). */
export const createShadowIndexes = async (em: EntityManager, table: ReadModelTable): Promise<void> => {
  const shadow = shadowName(table.name);
  for (const ix of await indexesOf(em, table.name)) {
    if (ix.primary) continue;
    if (ix.constraint) {
      await em.query(`ALTER TABLE ${q(shadow)} ADD CONSTRAINT ${q(shadowName(ix.constraint))} ${ix.condef}`);
      continue;
    }
    const m = /^(CREATE (?:UNIQUE )?INDEX) \S+ ON (?:ONLY )?\S+ (USING .*)$/.exec(ix.def);
    if (!m) throw new Error(`cannot copy index ${ix.name}: ${ix.def}`);
    await em.query(`${m[1]} ${q(shadowName(ix.name))} ON ${q(shadow)} ${m[2]}`);
  }
};

/**
 * `LIKE` copies no privileges and the creator owns the copy: without this, a superuser running the
 * rebuild would leave the API's and the projector's roles unable to use the switched table.
 */
export const copyAccess = async (em: EntityManager, table: ReadModelTable): Promise<void> => {
  const shadow = shadowName(table.name);
  const [owners] = await em.query(
    `SELECT pg_get_userbyid(l.relowner) AS live, pg_get_userbyid(s.relowner) AS shadow FROM pg_class l, pg_class s
     WHERE l.oid = $1::text::regclass AND s.oid = $2::text::regclass`,
    [table.name, shadow],
  );
  if (owners.live !== owners.shadow) await em.query(`ALTER TABLE ${q(shadow)} OWNER TO ${quoteRole(owners.live)}`);
  const grants: { privilege: string; grantee: string | null; grantable: boolean }[] = await em.query(
    `SELECT a.privilege_type AS privilege, r.rolname AS grantee, a.is_grantable AS grantable
     FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
     WHERE c.oid = $1::text::regclass AND a.grantee <> c.relowner`,
    [table.name],
  );
  for (const g of grants) {
    const to = g.grantee === null ? 'PUBLIC' : quoteRole(g.grantee);
    await em.query(`GRANT ${g.privilege} ON ${q(shadow)} TO ${to}${g.grantable ? ' WITH GRANT OPTION' : ''}`);
  }
};

const quoteRole = (role: string): string => `"${role.replace(/"/g, '""')}"`;

/**
 * Inside the switch transaction: the live table goes, the shadow takes its name and its indexes
 * and constraints take the live names, so the TypeORM entities and the migrations see no change.
 * Queries waiting on the live table's lock re-resolve the name when they get it and read the new one.
 */
export const swapShadowTable = async (em: EntityManager, table: ReadModelTable): Promise<void> => {
  const shadow = shadowName(table.name);
  await em.query(`DROP TABLE ${q(table.name)}`);
  await em.query(`ALTER TABLE ${q(shadow)} RENAME TO ${q(table.name)}`);
  for (const ix of await indexesOf(em, table.name)) {
    if (!ix.name.endsWith(REBUILD_SUFFIX)) continue;
    const base = ix.name.slice(0, -REBUILD_SUFFIX.length);
    if (ix.constraint) await em.query(`ALTER TABLE ${q(table.name)} RENAME CONSTRAINT ${q(ix.constraint)} TO ${q(base)}`);
    else await em.query(`ALTER INDEX ${q(ix.name)} RENAME TO ${q(base)}`);
  }
};

export const dropShadowTable = (em: EntityManager, table: ReadModelTable): Promise<unknown> =>
  em.query(`DROP TABLE IF EXISTS ${q(shadowName(table.name))}`);
