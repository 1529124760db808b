import { checkRootPath } from '../../api/products/panel/sites';
import { Domain } from '../../api/products/panel/schemas';
import { renderVhost } from '../../activities/panel/vhost';

describe('root_path rules', () => {
  it.each([
    ['/var/www/example', '/var/www/example'],
    ['/var/www/example/', '/var/www/example'],
    ['/var/www/a/b_c-d.e', '/var/www/a/b_c-d.e'],
  ])('accepts %s', (input, expected) => expect(checkRootPath(input, '/var/www')).toBe(expected));

  it.each([
    ['/var/www', 'must be inside the web root /var/www'],
    ['/var/wwwx/a', 'must be inside the web root /var/www'],
    ['/etc', 'must be inside the web root /var/www'],
    ['/var/www/../etc', 'must not contain . or .. segments'],
    ['/var/www/./a', 'must not contain . or .. segments'],
    ['/var/www//a', 'must be a normalized path'],
    ['var/www/a', 'must be an absolute path'],
    ['/var/www/a b', 'may contain only letters, digits, . _ - and /'],
    ['/var/www/a;rm', 'may contain only letters, digits, . _ - and /'],
  ])('refuses %s: %s', (input, reason) =>
    expect(() => checkRootPath(input, '/var/www')).toThrow(`root_path: ${reason}`),
  );
});

describe('domain rules', () => {
  it.each(['example.com', 'a.b.example.co.id', 'xn--bcher-kva.example', 'EXAMPLE.com'])('accepts %s', (d) =>
    expect(Domain.safeParse(d).success).toBe(true),
  );
  it.each([
    'localhost',
    '-a.com',
    'a-.com',
    'a..com',
    'a.com.',
    '*.a.com',
    'a_b.com',
    'a.c',
    `${'a'.repeat(64)}.com`,
    'a.com;',
  ])('refuses %s', (d) => expect(Domain.safeParse(d).success).toBe(false));
});

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
    expect(blocks[1]).toContain('ssl_certificate /etc/nusantara-panel/ssl/example.com/20261125T000000Z-abc123/fullchain.pem;');
    expect(blocks[1]).toContain('ssl_certificate_key /etc/nusantara-panel/ssl/example.com/20261125T000000Z-abc123/privkey.pem;');
    for (const b of blocks) expect(b).toContain('server_name example.com;');
  });
});
