import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

/** GETs a path from the suite's nginx with the given Host header, as a browser of that domain would. */
export function fetchSite(domain: string, path = '/'): Promise<{ status: number; body: string }> {
  const port = Number(String(process.env.PANEL_NGINX_LISTEN).split(':').pop());
  return new Promise((resolve, reject) => {
    // A new connection, as a new visitor would open (old nginx workers keep old kept-alive ones).
    const req = http.get(
      { host: '127.0.0.1', port, path, headers: { host: domain }, agent: false },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
  });
}

export interface TlsFetch {
  status: number;
  body: string;
  /** Whether the chain verified against `ca` for this name. */
  authorized: boolean;
  authorizationError: string | null;
  cert: { subject: Record<string, unknown>; issuer: Record<string, unknown>; serialNumber: string };
}

/** GETs a path over HTTPS from the suite's nginx with SNI and Host set to the domain; the chain is checked against `ca`, not required to verify. */
export function fetchSiteTls(domain: string, path = '/', ca?: string): Promise<TlsFetch> {
  const port = Number(String(process.env.PANEL_NGINX_TLS_LISTEN).split(':').pop());
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: '127.0.0.1',
        port,
        path,
        servername: domain,
        headers: { host: domain },
        ca,
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const peer = socket.getPeerCertificate();
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            authorized: socket.authorized,
            authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
            cert: {
              subject: { ...peer.subject },
              issuer: { ...peer.issuer },
              serialNumber: peer.serialNumber,
            },
          }),
        );
      },
    );
    req.on('error', reject);
  });
}
