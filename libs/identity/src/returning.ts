import { DataSource, EntityManager } from 'typeorm';

/**
 * TypeORM's PostgreSQL driver answers UPDATE and DELETE with [rows, rowCount] but INSERT and SELECT
 * with rows; this always answers the rows a RETURNING clause gave back.
 */
export const returning = async <T = Record<string, unknown>>(
  db: DataSource | EntityManager,
  sql: string,
  params: unknown[],
): Promise<T[]> => {
  const result = await db.query(sql, params);
  return Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : result;
};
