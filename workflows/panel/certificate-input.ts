/** What an issue or renewal of one site's certificate needs, so the workflow never reads the database. */
export interface CertificateWorkflowInput {
  certId: string;
  jobId: string;
  siteId: string;
  domain: string;
  email: string;
  rootPath: string;
  runtime: 'static' | 'php' | 'proxy';
  proxyPort: number | null;
  /** The certificate nginx serves now, if any: what a failed order must leave in place. */
  previousCertDir: string | null;
  hostQueue: string;
}
