export interface VhostSpec {
  siteId: string;
  domain: string;
  rootPath: string;
  /** nginx listen value: a port or address:port. */
  listen: string;
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
    index index.html index.htm;

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

    location / {
        try_files $uri $uri/ =404;
    }
}
`;
}
