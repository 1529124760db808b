import { STATUS_CODES } from 'node:http';
import type { AppError } from '../../core/errors';

/**
 * The platform's own error envelope (GET /, /healthz, /metrics, /docs, /openapi, and any path no
 * product serves): RFC 9457 problem details, served as `application/problem+json`, with the
 * machine-readable `code` every product's envelope also carries. No product contract shapes the
 * platform's paths, so they answer in the standard operators' tools already read.
 */
export const PLATFORM_ERROR_TYPE = 'application/problem+json';

export interface PlatformProblem {
  type: 'about:blank';
  title: string;
  status: number;
  detail: string;
  code: string;
  field?: string;
}

export const platformProblem = (
  status: number,
  code: string,
  detail: string,
  field?: string,
): PlatformProblem => ({
  type: 'about:blank',
  title: STATUS_CODES[status] ?? 'Error',
  status,
  detail,
  code,
  ...(field ? { field } : {}),
});

export const platformError = (err: AppError): PlatformProblem =>
  platformProblem(err.status, err.code, err.message, err.field);
