/** What the API hands the site workflows: everything they need, so they never read the database. */
export interface SiteWorkflowInput {
  siteId: string;
  jobId: string;
  domain: string;
  rootPath: string;
  runtime: 'static' | 'php' | 'proxy';
  /** For proxy sites: the local port of the app. */
  proxyPort?: number | null;
  /** For PHP sites: whether its PHP may start processes (absent: no). */
  phpAllowExec?: boolean;
  /** The site's installed certificate, when it has one (a site brought back by a restore). */
  certDir?: string | null;
  /** Task queue of the host that serves the site (dermaga-host-<hostId>). */
  hostQueue: string;
}
