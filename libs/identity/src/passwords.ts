import argon2 from 'argon2';

/** OWASP Password Storage Cheat Sheet: argon2id, 19 MiB of memory, 2 iterations, 1 lane. */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => argon2.hash(password, OPTIONS);

export const verifyPassword = async (hash: string | null, password: string): Promise<boolean> => {
  // A missing account still costs one hash, so response times do not tell which phones exist.
  if (!hash) {
    await argon2.hash(password, OPTIONS);
    return false;
  }
  return argon2.verify(hash, password);
};

/** NIST SP 800-63B: at least 8 characters, any characters, no composition rules; bounded above. */
export const passwordProblem = (password: string): string | null =>
  password.length < 8 ? 'password must be at least 8 characters' : password.length > 256 ? 'password must be at most 256 characters' : null;
