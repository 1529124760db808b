import { reply } from '../../../http/route';
import { answer, listAnswer, pagination } from '../envelope';
import * as s from '../schemas/certificates';
import { Empty } from '../schemas/common';
import type { AcademyRoute, AcademyServices } from './context';

const NOT_FOUND = {
  404: { description: "No such certificate of this user (another learner's ids are 404 too)" },
};

/** A learner's certificates (Self), admins' hand, and the public verification by code. */
export function certificateRoutes(route: AcademyRoute, { certificates }: AcademyServices): void {
  route({
    method: 'get',
    path: '/api/v1/users/{userId}/certificates',
    tag: 'certificates',
    auth: 'self',
    summary: "A learner's certificates",
    params: s.CertificateParams.pick({ userId: true }),
    query: s.CertificateListQuery,
    responses: { 200: { description: 'One page', schema: s.CertificateListAnswer } },
    handler: async ({ params, query }) => {
      const { page, limit, ...filter } = query;
      const { certificates: rows, total } = await certificates.list(params.userId, { page, limit }, filter);
      return listAnswer(
        'Successfully retrieved all certificates.',
        { certificates: rows },
        pagination(page, limit, total, rows.length),
      );
    },
  });

  route({
    method: 'get',
    path: '/api/v1/users/{userId}/certificates/{certificateId}',
    tag: 'certificates',
    auth: 'self',
    summary: 'A certificate: number, verification code, download URL',
    params: s.CertificateParams,
    responses: { 200: { description: 'The certificate', schema: s.CertificateAnswer }, ...NOT_FOUND },
    handler: async ({ params }) =>
      answer('Successfully retrieved certificate details.', {
        certificate: await certificates.detail(params.userId, params.certificateId),
      }),
  });

  route({
    method: 'get',
    path: '/api/v1/users/{userId}/certificates/{certificateId}/download',
    tag: 'certificates',
    auth: 'self',
    summary: "The certificate's PDF (an addition to academy.md: its downloadUrl)",
    params: s.CertificateParams,
    responses: { 200: { description: 'application/pdf' }, ...NOT_FOUND },
    handler: async ({ params }) => {
      const pdf = await certificates.pdf(params.userId, params.certificateId);
      return reply(200, pdf.body, {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="${pdf.number}.pdf"`,
      });
    },
  });

  route({
    method: 'post',
    path: '/api/v1/users/{userId}/certificates',
    tag: 'certificates',
    auth: 'admin',
    summary: 'Issue a certificate by hand (its PDF is made at once; nothing is mailed)',
    params: s.CertificateParams.pick({ userId: true }),
    body: s.NewCertificateBody,
    status: 201,
    responses: {
      201: { description: 'Issued', schema: s.CertificateAnswer },
      404: { description: 'No such user, program (programId) or enrollment of the user (enrollmentId)' },
      409: { description: 'The enrollment already has a certificate' },
    },
    handler: async ({ params, body }) =>
      answer(
        'Successfully created a certificate.',
        { certificate: await certificates.create(params.userId, body) },
        201,
      ),
  });

  route({
    method: 'patch',
    path: '/api/v1/users/{userId}/certificates/{certificateId}',
    tag: 'certificates',
    auth: 'admin',
    summary: 'Correct or revoke a certificate (a new name or title makes its PDF again)',
    params: s.CertificateParams,
    body: s.CertificateChangeBody,
    responses: { 200: { description: 'Changed', schema: s.CertificateAnswer }, ...NOT_FOUND },
    handler: async ({ params, body }) =>
      answer('Successfully updated certificate details.', {
        certificate: await certificates.update(params.userId, params.certificateId, body),
      }),
  });

  route({
    method: 'delete',
    path: '/api/v1/users/{userId}/certificates/{certificateId}',
    tag: 'certificates',
    auth: 'admin',
    summary: 'Delete a certificate (revoking keeps it verifiable as revoked)',
    params: s.CertificateParams,
    responses: { 200: { description: 'Deleted', schema: Empty }, ...NOT_FOUND },
    handler: async ({ params }) => {
      await certificates.remove(params.userId, params.certificateId);
      return answer('Successfully deleted a certificate.', null);
    },
  });

  route({
    method: 'get',
    path: '/api/v1/certificates/verify/{code}',
    tag: 'certificates',
    auth: 'public',
    summary: 'Check a verification code (public; an addition to academy.md)',
    params: s.VerifyParams,
    responses: {
      200: { description: 'What the code certifies', schema: s.VerificationAnswer },
      404: { description: 'No certificate has this code' },
    },
    handler: async ({ params }) =>
      answer('Successfully verified a certificate.', { certificate: await certificates.verify(params.code) }),
  });
}
