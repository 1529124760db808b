export interface VhostSpec {
  siteId: string;
  domain: string;
  rootPath: string;
  /** nginx listen value: a port or address:port. */
  listen: string;
  /** For PHP sites: the PHP-FPM socket `.php` requests go to. */
  phpSocket?: string;
  /** For proxy sites: the local port of the app behind nginx. */
  proxyPort?: number | null;
  /** With a certificate: the TLS listen value and the directory holding fullchain.pem and privkey.pem. */
  tls?: { listen: string; certDir: string } | null;
}

/**
 * A site's server blocks: plain HTTP always (ACME HTTP-01 challenges arrive there), and with a
 * certificate the same site again on the TLS listener. Inputs were validated by the API (hostname,
 * plain path) and again on the host, so nothing here can break out of its directive.
 */
export function renderVhost(s: VhostSpec): string {
  const body = siteBody(s);
  const plain = `server {
    listen ${s.listen};
${body}}
`;
  if (!s.tls) return `${header(s)}${plain}`;
  return `${header(s)}${plain}
server {
    listen ${s.tls.listen} ssl;
    ssl_certificate ${s.tls.certDir}/fullchain.pem;
    ssl_certificate_key ${s.tls.certDir}/privkey.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:dermaga_ssl:1m;
${body}}
`;
}

const header = (s: VhostSpec) => `# Managed by Dermaga — site ${s.siteId}. Changes here are overwritten.
`;

/** What both blocks serve: the site's root and its runtime's locations. */
function siteBody(s: VhostSpec): string {
  return `    server_name ${s.domain};
    root ${s.rootPath};
    index ${s.phpSocket ? 'index.php ' : ''}index.html index.htm;

    access_log off;
${s.phpSocket ? phpSymlinks : ''}
    # ACME HTTP-01: answered from the root's files whatever the runtime (^~ beats the rules below).
    location ^~ /.well-known/acme-challenge/ {
        default_type text/plain;
        try_files $uri =404;
    }

    # Dotfiles (including Dermaga's ownership marker) are never served; /.well-known/ is.
    location ~ /\\.(?!well-known/) {
        deny all;
    }

    # Lets Dermaga verify that nginx really serves this block after a reload.
    location = /.well-known/dermaga-site {
        default_type text/plain;
        return 200 "${s.siteId}";
    }

${s.phpSocket ? phpLocations(s.phpSocket) : s.proxyPort ? proxyLocations(s.proxyPort) : staticLocation}`;
}

/** A PHP site's user may make links (with php_allow_exec): nginx follows one only to its owner's files. */
const phpSymlinks = `
    disable_symlinks if_not_owner from=$document_root;
`;

const staticLocation = `    location / {
        try_files $uri $uri/ =404;
    }
`;

/** Files in the root first, everything else to the app on a local port (WebSockets included). */
function proxyLocations(port: number): string {
  return `    location / {
        try_files $uri @app;
    }

    location @app {
        proxy_pass http://127.0.0.1:${port};
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $http_connection;
    }
`;
}

/** PHP through the site's own pool; anything not a file goes to index.php (front controllers). */
function phpLocations(socket: string): string {
  return `    location / {
        try_files $uri $uri/ /index.php?$query_string;
    }

    location ~ \\.php$ {
        try_files $uri =404;
        include /etc/nginx/fastcgi_params;
        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
        fastcgi_pass unix:${socket};
    }
`;
}
