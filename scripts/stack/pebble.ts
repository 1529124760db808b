import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { assertPortFree, spawnLogged, stopChild, stopStale, waitForPort } from './processes';

const exec = promisify(execFile);

/**
 * Debian's `pebble` (Let's Encrypt's ACME test CA) with `pebble-challtestsrv` as its DNS: every
 * name resolves to 127.0.0.1, so pebble validates HTTP-01 challenges against the private nginx on
 * `httpPort`, the way Let's Encrypt would against port 80. Certificates chain to a root pebble
 * makes up at start (GET https://127.0.0.1:<managementPort>/roots/0).
 */
export async function startPebble(opts: {
  dir: string;
  port: number;
  managementPort: number;
  dnsPort: number;
  dnsManagementPort: number;
  httpPort: number;
  tlsPort: number;
}) {
  for (const bin of ['pebble', 'pebble-challtestsrv'])
    if (!existsSync(`/usr/bin/${bin}`))
      throw new Error(`pebble is not installed: apt-get install pebble (the local ACME CA for SSL)`);
  mkdirSync(opts.dir, { recursive: true });

  // Pebble's own HTTPS listener needs a certificate: a self-signed one that PANEL_ACME_CA_FILE trusts.
  const cert = path.join(opts.dir, 'listener-cert.pem');
  const key = path.join(opts.dir, 'listener-key.pem');
  if (!existsSync(cert)) {
    await exec('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '3650',
      '-subj',
      '/CN=pebble listener',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
  }
  const config = path.join(opts.dir, 'pebble-config.json');
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${opts.port}`,
        managementListenAddress: `127.0.0.1:${opts.managementPort}`,
        certificate: cert,
        privateKey: key,
        httpPort: opts.httpPort,
        tlsPort: opts.tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );

  const dnsPid = path.join(opts.dir, 'challtestsrv.pid');
  const pebblePid = path.join(opts.dir, 'pebble.pid');
  await stopStale(dnsPid, { match: (c) => c.includes('pebble-challtestsrv'), removeStale: true });
  await stopStale(pebblePid, { match: (c) => c.includes(config), removeStale: true });
  for (const [port, what] of [
    [opts.port, 'pebble'],
    [opts.managementPort, 'pebble management'],
    [opts.dnsPort, 'pebble DNS'],
    [opts.dnsManagementPort, 'pebble DNS management'],
  ] as const)
    await assertPortFree(port, what);

  // Only the DNS part of challtestsrv: A queries answer 127.0.0.1, AAAA nothing (nginx listens on IPv4).
  const dns = spawnLogged(
    '/usr/bin/pebble-challtestsrv',
    [
      '-dns01',
      `127.0.0.1:${opts.dnsPort}`,
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
      '-management',
      `127.0.0.1:${opts.dnsManagementPort}`,
      '-defaultIPv4',
      '127.0.0.1',
      '-defaultIPv6',
      '',
    ],
    path.join(opts.dir, 'challtestsrv.log'),
  );
  writeFileSync(dnsPid, `${dns.pid}\n`);
  const pebble = spawnLogged(
    '/usr/bin/pebble',
    ['-config', config, '-dnsserver', `127.0.0.1:${opts.dnsPort}`],
    path.join(opts.dir, 'pebble.log'),
    {
      // No random validation delays or nonce rejections, and every order validated afresh (as a renewal
      // after a long while would be): tests want the CA's behaviour, not its chaos.
      env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
    },
  );
  writeFileSync(pebblePid, `${pebble.pid}\n`);
  const stop = async () => {
    await stopChild(pebble, 5000);
    await stopChild(dns, 5000);
  };
  const exited = new Promise<never>((_, reject) => {
    for (const [child, name] of [
      [pebble, 'pebble'],
      [dns, 'pebble-challtestsrv'],
    ] as const)
      child.once('exit', (code) =>
        reject(
          new Error(
            `${name} exited (${code}); see ${opts.dir}/${name === 'pebble' ? 'pebble' : 'challtestsrv'}.log`,
          ),
        ),
      );
  });
  try {
    await Promise.race([exited, Promise.all([waitForPort(opts.port), waitForPort(opts.managementPort)])]);
  } catch (err) {
    await stop();
    throw err;
  }
  exited.catch(() => undefined);
  return {
    directoryUrl: `https://127.0.0.1:${opts.port}/dir`,
    caFile: cert,
    rootsUrl: `https://127.0.0.1:${opts.managementPort}/roots/0`,
    dnsManagementUrl: `http://127.0.0.1:${opts.dnsManagementPort}`,
    stop,
  };
}
