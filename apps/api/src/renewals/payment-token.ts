import { PersonalDataVault } from '@ledger/identity';

/**
 * The provider token travels in the process's first event, sealed under the data key (AES-256-GCM
 * through the vault), because after a crash the process may still have to charge with it. Whoever
 * holds only the log cannot read it; the token is single-use at the provider anyway.
 */
export const sealToken = (vault: PersonalDataVault, token: string): string => {
  const key = vault.newWrappedKey();
  return `${key}~${vault.seal(key, token)}`;
};

export const unsealToken = (vault: PersonalDataVault, sealed: string): string => {
  const [key, value] = sealed.split('~');
  if (!key || !value) throw new Error('a sealed payment token is key~value');
  return vault.open(key, value);
};
