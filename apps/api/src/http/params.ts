import { ProblemException } from './problem';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const uuidParam = (value: string, field: string): string => {
  if (!UUID.test(value)) throw new ProblemException(400, 'VALIDATION_FAILED', `${field} must be a UUID`, field);
  return value.toLowerCase();
};
