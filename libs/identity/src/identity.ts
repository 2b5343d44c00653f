import { DataSource } from 'typeorm';
import { AccountCredentials } from './account-credentials';
import { PersonalDataVault } from './personal-data';
import { LedgerSecrets } from './secrets';
import { Sessions } from './sessions';
import { SmsPort } from './sms';
import { StaffAndClients } from './staff-and-clients';
import { Role, Subject } from './subject';

/** Everything identity holds, opened on the read models' database with the process's secrets. */
export interface Identity {
  readonly vault: PersonalDataVault;
  readonly accounts: AccountCredentials;
  readonly staff: StaffAndClients;
  readonly sessions: Sessions;
}

export const openIdentity = (db: DataSource, secrets: LedgerSecrets, sms: SmsPort): Identity => {
  const vault = new PersonalDataVault(secrets.dataKey, secrets.fingerprintKey);
  const accounts = new AccountCredentials(db, vault, sms);
  const staff = new StaffAndClients(db);
  const stillValid = async (s: Subject): Promise<Role | null> => {
    if (s.kind === 'account') return (await accounts.isActive(s.id)) ? 'owner' : null;
    if (s.kind === 'staff') return staff.staffRole(s.id);
    return (await staff.clientExists(s.id)) ? 'client' : null;
  };
  return { vault, accounts, staff, sessions: new Sessions(db, secrets.jwtSecret, stillValid) };
};
