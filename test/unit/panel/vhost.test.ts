import { renderVhost, type VhostSpec } from '../../../activities/panel/vhost';

const site: VhostSpec = {
  siteId: 'site_1',
  domain: 'example.com',
  rootPath: '/var/www/example',
  listen: '80',
};
/** The server blocks of a rendered file, each from `server {` to its closing brace. */
const blocks = (conf: string) => conf.split(/^server \{$/m).slice(1);

describe('the nginx server block', () => {
  it('serves the root for the domain and hides dotfiles', () => {
    const conf = renderVhost({
      siteId: 'site_1',
      domain: 'example.com',
      rootPath: '/var/www/example',
      listen: '127.0.0.1:8080',
    });
    expect(conf).toContain('listen 127.0.0.1:8080;');
    expect(conf).toContain('server_name example.com;');
    expect(conf).toContain('root /var/www/example;');
    expect(conf).toContain('location ~ /\\.(?!well-known/)');
    expect(conf).toContain('# Managed by Dermaga — site site_1.');
    expect(conf).toContain('location ^~ /.well-known/acme-challenge/ {');
    expect(conf).not.toContain('ssl');
  });

  it('serves the same site on the TLS listener once it has a certificate', () => {
    const conf = renderVhost({
      siteId: 'site_1',
      domain: 'example.com',
      rootPath: '/var/www/example',
      listen: '80',
      tls: { listen: '443', certDir: '/etc/nusantara-panel/ssl/example.com/20261125T000000Z-abc123' },
    });
    const blocks = conf.split(/^server \{$/m).slice(1);
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toContain('listen 80;');
    expect(blocks[1]).toContain('listen 443 ssl;');
    expect(blocks[1]).toContain(
      'ssl_certificate /etc/nusantara-panel/ssl/example.com/20261125T000000Z-abc123/fullchain.pem;',
    );
    expect(blocks[1]).toContain(
      'ssl_certificate_key /etc/nusantara-panel/ssl/example.com/20261125T000000Z-abc123/privkey.pem;',
    );
    for (const b of blocks) expect(b).toContain('server_name example.com;');
  });

  it('says which site it serves at /.well-known/dermaga-site, and has balanced braces', () => {
    for (const conf of [
      renderVhost(site),
      renderVhost({ ...site, phpSocket: '/run/php/site_1.sock' }),
      renderVhost({ ...site, proxyPort: 3001, tls: { listen: '443', certDir: '/ssl/x' } }),
    ]) {
      expect(conf).toContain(
        'location = /.well-known/dermaga-site {\n        default_type text/plain;\n        return 200 "site_1";',
      );
      expect(conf.split('{').length).toBe(conf.split('}').length);
    }
  });

  it('serves a static site from its files only', () => {
    const conf = renderVhost(site);
    expect(conf).toContain('index index.html index.htm;');
    expect(conf).toContain('try_files $uri $uri/ =404;');
    expect(conf).not.toMatch(/fastcgi|proxy_pass|disable_symlinks/);
  });

  it("sends a PHP site's scripts to its own PHP-FPM socket and follows links only to the owner's files", () => {
    const conf = renderVhost({ ...site, phpSocket: '/run/php/dermaga-site_1.sock' });
    expect(conf).toContain('index index.php index.html index.htm;');
    expect(conf).toContain('disable_symlinks if_not_owner from=$document_root;');
    expect(conf).toContain('try_files $uri $uri/ /index.php?$query_string;');
    expect(conf).toContain('location ~ \\.php$ {');
    expect(conf).toContain('fastcgi_pass unix:/run/php/dermaga-site_1.sock;');
    expect(conf).not.toContain('proxy_pass');
  });

  it('puts a proxy site in front of its app on the local port, files in the root first, WebSockets through', () => {
    const conf = renderVhost({ ...site, proxyPort: 3001 });
    expect(conf).toContain('try_files $uri @app;');
    expect(conf).toContain('proxy_pass http://127.0.0.1:3001;');
    expect(conf).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(conf).not.toContain('fastcgi_pass');
    // The ACME challenge is answered from the root before any runtime rule.
    expect(conf.indexOf('location ^~ /.well-known/acme-challenge/')).toBeLessThan(
      conf.indexOf('location / {'),
    );
  });

  it('renders the same locations in the TLS block as in the plain one', () => {
    const conf = renderVhost({
      ...site,
      phpSocket: '/run/php/s.sock',
      tls: { listen: '127.0.0.1:8443', certDir: '/ssl/example.com/1' },
    });
    const [plain, tls] = blocks(conf);
    expect(tls).toContain('listen 127.0.0.1:8443 ssl;');
    expect(tls).toContain('ssl_protocols TLSv1.2 TLSv1.3;');
    const locations = (b: string) => b.replace(/^ *(listen|ssl_)[^\n]*\n/gm, '').trimEnd();
    expect(locations(tls)).toContain('fastcgi_pass unix:/run/php/s.sock;');
    expect(locations(tls)).toBe(locations(plain));
  });
});
