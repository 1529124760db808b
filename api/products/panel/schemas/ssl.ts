import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { Domain } from './common';

export const IssueCertificateBody = z
  .strictObject({
    domain: Domain.openapi({ description: 'A domain the panel hosts (an active site)' }),
    email: z
      .string()
      .trim()
      .max(254)
      .email('must be an email address')
      .openapi({ example: 'admin@example.com', description: "The ACME account's contact" }),
  })
  .openapi('IssueCertificateRequest');

export const RenewCertificatesBody = z
  .strictObject({
    all: z.boolean().default(false).openapi({
      description:
        'Renew every installed certificate, not only those expiring within the renewal window (30 days by default)',
    }),
  })
  .openapi('RenewCertificatesRequest', { description: 'Optional: no body renews what is due' });

export const Certificate = z
  .object({
    id: z.string(),
    site_id: z.string(),
    domain: z.string(),
    status: z.enum(['issuing', 'active', 'failed']).openapi({
      description: "The newest order's state; a failed renewal leaves the previous certificate in use",
    }),
    serial: z.string().nullable(),
    subject: z.string().nullable(),
    issuer: z.string().nullable(),
    not_before: z.string().datetime().nullable(),
    not_after: z.string().datetime().nullable(),
    error: z.string().nullable(),
    job_id: z.string().nullable(),
    updated_at: z.string().datetime(),
  })
  .openapi('Certificate');

export const CertificateAccepted = z
  .object({ certificate: Certificate, job_id: z.string() })
  .openapi('CertificateAccepted');
export const RenewalAccepted = z
  .object({
    job_id: z
      .string()
      .openapi({ description: 'The renewal job: one step per certificate renewed, each with its own job' }),
  })
  .openapi('RenewalAccepted');
