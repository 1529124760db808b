import * as acme from 'acme-client';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';

export interface AcmeOptions {
  directoryUrl: string;
  /** PEM bundle trusted for the ACME server's HTTPS (a private CA); undefined means the system's. */
  caFile?: string;
  /** Where the account key for each directory is kept (0700 directory, 0600 key). */
  accountDir: string;
}

/** What an HTTP-01 challenge needs published: the file `/.well-known/acme-challenge/<token>` holding `content`. */
export interface Http01 {
  token: string;
  content: string;
}

export interface IssuedCertificate {
  /** PEM: the leaf, then the intermediates. */
  chain: string;
  /** PEM: the certificate's private key (new for every order). */
  key: string;
}

/** The CA refused: retrying the same order would fail the same way (and count against its rate limits). */
export class AcmeRejection extends Error {
  override name = 'AcmeRejection';
}

/**
 * An ACME (RFC 8555) client for one directory: one account per directory, kept across orders,
 * HTTP-01 only. The caller publishes and withdraws each challenge file; this speaks the protocol.
 */
export function createAcme(opts: AcmeOptions) {
  if (opts.caFile) {
    // acme-client talks through its own axios instance: trusting the private CA there affects nothing else.
    acme.axios.defaults.httpsAgent = new https.Agent({ ca: readFileSync(opts.caFile) });
  }
  const keyFile = path.join(
    opts.accountDir,
    `${createHash('sha256').update(opts.directoryUrl).digest('hex').slice(0, 16)}.key`,
  );

  async function accountKey(): Promise<Buffer> {
    const existing = await readFile(keyFile).catch(() => null);
    if (existing) return existing;
    await mkdir(opts.accountDir, { recursive: true, mode: 0o700 });
    const key = await acme.crypto.createPrivateEcdsaKey();
    // `wx`: two first orders racing keep whichever key landed first.
    await writeFile(keyFile, key, { mode: 0o600, flag: 'wx' }).catch((err) =>
      err.code === 'EEXIST' ? undefined : Promise.reject(err),
    );
    return readFile(keyFile);
  }

  return {
    /**
     * Orders a certificate for one domain: account (created or found by its key), order, HTTP-01
     * challenge published via `publish` and withdrawn via `withdraw` whatever happens, CSR, and the
     * issued chain. `progress` is called between protocol steps (activity heartbeats).
     */
    async order(
      domain: string,
      email: string,
      hooks: {
        publish(c: Http01): Promise<void>;
        withdraw(c: Http01): Promise<void>;
        progress(step: string): void;
      },
    ): Promise<IssuedCertificate> {
      const client = new acme.Client({
        directoryUrl: opts.directoryUrl,
        accountKey: await accountKey(),
        backoffMin: 500,
        backoffMax: 5000,
      });
      hooks.progress('account');
      await client.createAccount({ termsOfServiceAgreed: true, contact: [`mailto:${email}`] });
      hooks.progress('order');
      const order = await client.createOrder({ identifiers: [{ type: 'dns', value: domain }] });
      for (const authz of await client.getAuthorizations(order)) {
        if (authz.status === 'valid') continue; // the CA still trusts an earlier validation
        const challenge = authz.challenges.find((c) => c.type === 'http-01');
        if (!challenge) throw new Error(`the CA offers no http-01 challenge for ${authz.identifier.value}`);
        const published = {
          token: challenge.token,
          content: await client.getChallengeKeyAuthorization(challenge),
        };
        await hooks.publish(published);
        try {
          hooks.progress('challenge');
          await client.completeChallenge(challenge);
          await client.waitForValidStatus(challenge).catch((err: Error) => {
            // Still pending after the backoff is worth another try; a challenge the CA marked invalid is not.
            if (err.message === 'Operation is pending or processing') throw err;
            throw new AcmeRejection(
              `the CA could not validate http://${domain}/.well-known/acme-challenge/${challenge.token}: ${err.message}`,
            );
          });
        } finally {
          await hooks.withdraw(published);
        }
      }
      hooks.progress('finalize');
      const [key, csr] = await acme.crypto.createCsr(
        { commonName: domain, altNames: [domain] },
        await acme.crypto.createPrivateEcdsaKey(),
      );
      const finalized = await client.finalizeOrder(order, csr);
      hooks.progress('download');
      const chain = await client.getCertificate(finalized);
      return { chain, key: key.toString() };
    },
  };
}
export type Acme = ReturnType<typeof createAcme>;
