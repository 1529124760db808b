import { generatePassword, hashPassword } from '../../core/crypto';
import type { Logger } from '../../core/logger';

/**
 * A product's first admin on a fresh database, with the configured password or a generated one
 * printed once. Several API processes may start at once: `insert` relies on a unique key and says
 * whether this process created the admin, so only that one prints the password.
 */
export async function bootstrapAdmin(opts: {
  product: string;
  /** How the admin signs in, for the log line: `username "admin"`, an email. */
  who: string;
  configuredPassword?: string;
  exists: () => PromiseLike<unknown>;
  insert: (passwordHash: string) => Promise<boolean>;
  logger: Logger;
}): Promise<void> {
  if (await opts.exists()) return;
  const password = opts.configuredPassword ?? generatePassword();
  const created = await opts.insert(await hashPassword(password));
  if (created && !opts.configuredPassword) {
    opts.logger.warn(
      `${opts.product}: bootstrap admin created — ${opts.who}, password printed below once; change it`,
    );
    process.stdout.write(`\n  ${opts.product} bootstrap admin password: ${password}\n\n`);
  }
}
