import http from 'node:http';

/** GETs a path from the suite's nginx with the given Host header, as a browser of that domain would. */
export function fetchSite(domain: string, path = '/'): Promise<{ status: number; body: string }> {
  const port = Number(String(process.env.PANEL_NGINX_LISTEN).split(':').pop());
  return new Promise((resolve, reject) => {
    // A new connection, as a new visitor would open (old nginx workers keep old kept-alive ones).
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host: domain }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}
