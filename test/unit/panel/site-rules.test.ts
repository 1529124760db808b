import { checkRootPath } from '../../../api/products/panel/sites';
import { Domain } from '../../../api/products/panel/schemas/common';

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
