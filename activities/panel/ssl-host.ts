import { ApplicationFailure, Context } from '@temporalio/activity';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import { AcmeRejection, type Acme, type Http01 } from '../../adapters/acme';
import type { Nginx } from '../../adapters/nginx';

/** What the panel records about an installed certificate (the key never leaves the host). */
export interface CertificateInfo {
  certDir: string;
  serial: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

const refuse = (type: string, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * Certificates on the panel's host: ordering through ACME with the HTTP-01 file served from the
 * site's own root, keeping each issued key and chain in a fresh directory under
 * `<sslDir>/<domain>/` (so the one nginx serves is never overwritten), and checking what nginx
 * presents on the TLS listener.
 */
export function createSslHostActivities(deps: {
  acme: Acme;
  nginx: Nginx;
  sslDir: string;
  tlsListen: string;
}) {
  const { acme, nginx } = deps;

  // Domains were validated by the API; checked again because they become directory names here.
  function domainDir(domain: string): string {
    if (!DOMAIN.test(domain)) throw refuse('invalid_request', `refusing domain ${JSON.stringify(domain)}`);
    return path.join(deps.sslDir, domain);
  }
  function insideSslDir(dir: string): string {
    const resolved = path.resolve(dir);
    if (!resolved.startsWith(`${path.resolve(deps.sslDir)}/`))
      throw refuse('invalid_request', `refusing ${dir}: not under ${deps.sslDir}`);
    return resolved;
  }
  const challengeFile = (rootPath: string, c: Http01) => {
    if (!TOKEN.test(c.token)) throw new Error(`refusing ACME token ${JSON.stringify(c.token)}`);
    return path.join(rootPath, '.well-known', 'acme-challenge', c.token);
  };

  return {
    /**
     * Orders a certificate and stores it beside (never over) the one in use. Refuses early when
     * nginx does not serve the domain as this site, since the CA's request would land elsewhere.
     */
    async obtainCertificate(input: {
      siteId: string;
      domain: string;
      email: string;
      rootPath: string;
    }): Promise<CertificateInfo> {
      const base = domainDir(input.domain);
      if ((await nginx.servedSiteId(input.domain)) !== input.siteId)
        throw refuse(
          'site_not_served',
          `nginx does not serve ${input.domain} as site ${input.siteId}; the CA could not reach the challenge`,
        );
      const issued = await acme
        .order(input.domain, input.email, {
          publish: async (c) => {
            const file = challengeFile(input.rootPath, c);
            await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
            await writeFile(file, c.content, { mode: 0o644 });
          },
          withdraw: (c) => rm(challengeFile(input.rootPath, c), { force: true }),
          progress: (step) => Context.current().heartbeat(step),
        })
        .catch((err: Error) => {
          throw err instanceof AcmeRejection ? refuse('acme_rejected', err.message) : err;
        });
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
      const certDir = path.join(base, `${stamp}-${randomBytes(3).toString('hex')}`);
      await mkdir(deps.sslDir, { recursive: true, mode: 0o700 });
      await mkdir(certDir, { recursive: true, mode: 0o700 });
      await writeFile(path.join(certDir, 'privkey.pem'), issued.key, { mode: 0o600 });
      await writeFile(path.join(certDir, 'fullchain.pem'), issued.chain, { mode: 0o600 });
      const leaf = new X509Certificate(issued.chain);
      return {
        certDir,
        serial: leaf.serialNumber,
        subject: leaf.subject,
        issuer: leaf.issuer,
        notBefore: new Date(leaf.validFrom).toISOString(),
        notAfter: new Date(leaf.validTo).toISOString(),
      };
    },

    /** Undo of an order: its key and chain go (a no-op when none were written). */
    async discardCertificate({ certDir }: { certDir: string }): Promise<void> {
      await rm(insideSslDir(certDir), { recursive: true, force: true });
    },

    /** Waits until nginx presents the certificate with this serial for the domain (a reload applies asynchronously). */
    async verifyServedCertificate({ domain, serial }: { domain: string; serial: string }): Promise<void> {
      let seen: string | null = null;
      for (let waited = 0; waited < 10_000; waited += 100) {
        seen = await servedSerial(deps.tlsListen, domain);
        if (seen === serial) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(
        `nginx does not present the new certificate for ${domain} (serial seen: ${seen ?? 'none'}); see nginx's error log`,
      );
    },

    /** After a new certificate is in use, the older ones of the domain go. */
    async pruneCertificates({ domain, keep }: { domain: string; keep: string }): Promise<void> {
      const base = domainDir(domain);
      for (const entry of await readdir(base).catch(() => [])) {
        if (path.join(base, entry) !== path.resolve(keep))
          await rm(path.join(base, entry), { recursive: true, force: true });
      }
    },

    /** A deleted site's keys and chains go with it. */
    async removeCertificates({ domain }: { domain: string }): Promise<void> {
      await rm(domainDir(domain), { recursive: true, force: true });
    },
  };
}
export type SslHostActivities = ReturnType<typeof createSslHostActivities>;

/** The serial of the certificate nginx presents for `domain` on the TLS listener, or null. */
function servedSerial(listen: string, domain: string): Promise<string | null> {
  const port = Number(listen.split(':').pop());
  const host = listen.includes(':')
    ? listen.slice(0, listen.lastIndexOf(':')).replace(/^\[|\]$/g, '')
    : '127.0.0.1';
  return new Promise((resolve) => {
    // Only the presented certificate is read, not trusted: the issuing CA may be private (pebble).
    const socket = tls.connect(
      { host, port, servername: domain, rejectUnauthorized: false, timeout: 2000 },
      () => {
        const cert = socket.getPeerCertificate();
        socket.destroy();
        resolve(cert?.serialNumber ? cert.serialNumber.toUpperCase() : null);
      },
    );
    socket.on('timeout', () => socket.destroy());
    socket.on('error', () => resolve(null));
    socket.on('close', () => resolve(null));
  });
}
