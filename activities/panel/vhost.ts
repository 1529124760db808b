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
}

/**
 * The server block for a static site. Inputs were validated by the API (hostname, plain path)
 * and again on the host, so nothing here can break out of its directive.
 */
export function renderVhost(s: VhostSpec): string {
  return `# Managed by Dermaga — site ${s.siteId}. Changes here are overwritten.
server {
    listen ${s.listen};
    server_name ${s.domain};
    root ${s.rootPath};
    index ${s.phpSocket ? 'index.php ' : ''}index.html index.htm;

    access_log off;

    # Dotfiles (including Dermaga's ownership marker) are never served; ACME challenges are.
    location ~ /\\.(?!well-known/) {
        deny all;
    }

    # Lets Dermaga verify that nginx really serves this block after a reload.
    location = /.well-known/dermaga-site {
        default_type text/plain;
        return 200 "${s.siteId}";
    }

${s.phpSocket ? phpLocations(s.phpSocket) : s.proxyPort ? proxyLocations(s.proxyPort) : staticLocation}}
`;
}

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
