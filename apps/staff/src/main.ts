import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@ledger/config';
import { DataDirectoryInUseError } from '@ledger/event-store';
import { IdentityError, STAFF_ROLES, SandboxSms, StaffRole, loadSecrets, openIdentity } from '@ledger/identity';
import { openLedgerStorage, storageConfig } from '@ledger/read-models';

const HELP = `Creates and manages staff accounts and machine clients, and erases customer accounts.

Usage: npm run staff -- <command> [options]
       node dist/apps/staff/src/main.js <command> [options]

Run by an admin with access to the ledger's database and secrets; nobody can register as staff
over HTTP.

Commands:
  create <username> --role <${STAFF_ROLES.join('|')}>
                       A staff member. The password is STAFF_PASSWORD when set, else a random one
                       printed once. Prints {"staffId", "username", "role", "password"?}.
  list                 Staff members and their roles.
  set-role <username> <role>
  remove <username>    Their tokens stop working at once.
  client create <name> --scope usage:record
                       A machine client (the network's usage feed). Prints {"clientId",
                       "clientSecret"} once; it exchanges them at POST /v1/auth/token.
  client remove <clientId>
                       Its tokens stop working at once.
  erase-account <accountId>
                       Right to erasure, by an admin: the account's key is deleted, its phone
                       number becomes unreadable; events and hash chains stay.

Options:
  -h, --help           print this help and exit

Environment: the API's (npm start -- --help): LEDGER_DATA_DIR, DATABASE_URL, EVENT_STORE_URL and
the LEDGER_JWT_SECRET, LEDGER_DATA_KEY, LEDGER_FINGERPRINT_KEY secrets (else <data dir>/secrets.json),
and STAFF_PASSWORD for create. On the embedded store, stop the API first.

Exit codes:
  0  done
  1  refused (e.g. unknown username), or another failure
  2  bad usage (also no command), a bad setting, or a data directory held by another process

Examples:
  npm run staff -- create alice --role support
  npm run staff -- client create usage-feed --scope usage:record
`;

class UsageError extends Error {}

const flag = (args: string[], name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const role = (value: string | undefined): StaffRole => {
  if (!value || !(STAFF_ROLES as readonly string[]).includes(value))
    throw new UsageError(`--role must be one of ${STAFF_ROLES.join(', ')}`);
  return value as StaffRole;
};

const run = async (args: string[]): Promise<number> => {
  const [command, ...rest] = args;
  if (!command || command === '--help' || command === '-h') {
    process.stdout.write(HELP);
    return command ? 0 : 2;
  }
  if (!['create', 'list', 'set-role', 'remove', 'client', 'erase-account'].includes(command))
    throw new UsageError(`unknown command "${command}"`);
  const config = loadConfig();
  const { secrets } = loadSecrets(process.env, join(config.dataDir, 'secrets.json'));
  const storage = await openLedgerStorage(storageConfig(config));
  const identity = openIdentity(storage.dataSource, secrets, new SandboxSms());
  const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
  const now = new Date();
  try {
    switch (command) {
      case 'create': {
        const username = rest[0];
        if (!username || username.startsWith('--')) throw new UsageError('create: name the username');
        const given = process.env.STAFF_PASSWORD;
        const password = given || randomBytes(18).toString('base64url');
        const { staffId } = await identity.staff.createStaff(username, role(flag(rest, '--role')), password, now);
        print({ staffId, username, role: flag(rest, '--role'), ...(given ? {} : { password }) });
        return 0;
      }
      case 'list':
        for (const s of await identity.staff.listStaff()) print(s);
        return 0;
      case 'set-role':
        if (!rest[0]) throw new UsageError('set-role: name the username');
        return (await identity.staff.setRole(rest[0], role(rest[1]))) ? 0 : (process.stderr.write(`no staff member ${rest[0]}\n`), 1);
      case 'remove':
        if (!rest[0]) throw new UsageError('remove: name the username');
        return (await identity.staff.removeStaff(rest[0])) ? 0 : (process.stderr.write(`no staff member ${rest[0]}\n`), 1);
      case 'client': {
        if (rest[0] === 'remove' && rest[1])
          return (await identity.staff.removeClient(rest[1])) ? 0 : (process.stderr.write(`no client ${rest[1]}\n`), 1);
        if (rest[0] !== 'create' || !rest[1] || rest[1].startsWith('--'))
          throw new UsageError('client create <name> --scope usage:record, or client remove <clientId>');
        print(await identity.staff.createClient(rest[1], (flag(rest, '--scope') ?? '').split(',').filter(Boolean), now));
        return 0;
      }
      default: {
        const accountId = rest[0];
        if (!accountId || !/^[0-9a-f-]{36}$/i.test(accountId)) throw new UsageError('erase-account: give the account id (a UUID)');
        const erased = await identity.accounts.erase(accountId.toLowerCase(), now);
        if (erased) await identity.sessions.revokeSubject(`account:${accountId.toLowerCase()}`, now);
        return erased ? 0 : (process.stderr.write(`no account ${accountId}, or already erased\n`), 1);
      }
    }
  } finally {
    await storage.close();
  }
};

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    const usage = err instanceof UsageError || err instanceof ConfigError || err instanceof DataDirectoryInUseError;
    const refused = err instanceof IdentityError;
    process.stderr.write(`staff: ${usage || refused ? err.message : ((err as Error).stack ?? String(err))}\n`);
    if (err instanceof UsageError) process.stderr.write('see npm run staff -- --help\n');
    process.exit(usage ? 2 : 1);
  },
);
