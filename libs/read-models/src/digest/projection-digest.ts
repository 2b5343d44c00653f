import { DataSource } from 'typeorm';
import { ledgerProjection } from '../ledger-projector';
import { Digest, digestTables } from './read-model-digest';

export interface ProjectionDigest extends Digest {
  readonly name: string;
  /** The checkpoint the rows were read at: same snapshot, so rows and position agree. */
  readonly position: string;
}

/** The digest of a live projection as it stands, read in one REPEATABLE READ snapshot with its checkpoint. */
export const digestProjection = (dataSource: DataSource, name: string): Promise<ProjectionDigest> => {
  const projection = ledgerProjection(name);
  return dataSource.transaction('REPEATABLE READ', async (em) => {
    const [row] = await em.query('SELECT position FROM projection_checkpoint WHERE name = $1', [name]);
    const tables = projection.tables.map((t) => ({ logical: t.name, physical: t.name, primaryKey: t.primaryKey }));
    const digest = await digestTables(em, tables);
    return { name, position: String(row?.position ?? 0), ...digest };
  });
};
