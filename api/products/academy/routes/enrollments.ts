import { answer, listAnswer, pagination } from '../envelope';
import { Empty } from '../schemas/common';
import * as s from '../schemas/enrollments';
import { caller, type AcademyRoute, type AcademyServices } from './context';

const NOT_FOUND = {
  404: { description: "No such enrollment of this user (another learner's ids are 404 too)" },
};

/** A learner's enrollments (Self), an admin's changes, and the additive module-completion route. */
export function enrollmentRoutes(route: AcademyRoute, { enrollments }: AcademyServices): void {
  route({
    method: 'get',
    path: '/api/v1/users/{userId}/enrollments',
    tag: 'enrollments',
    auth: 'self',
    summary: "A learner's enrollments",
    params: s.EnrollmentParams.pick({ userId: true }),
    query: s.EnrollmentListQuery,
    responses: { 200: { description: 'One page', schema: s.EnrollmentListAnswer } },
    handler: async ({ params, query }) => {
      const { page, limit, ...filter } = query;
      const { enrollments: rows, total } = await enrollments.list(params.userId, { page, limit }, filter);
      return listAnswer(
        'Successfully retrieved all program enrollments.',
        { enrollments: rows },
        pagination(page, limit, total, rows.length),
      );
    },
  });

  route({
    method: 'get',
    path: '/api/v1/users/{userId}/enrollments/{enrollmentId}',
    tag: 'enrollments',
    auth: 'self',
    summary: 'An enrollment, with its invoice',
    params: s.EnrollmentParams,
    responses: { 200: { description: 'The enrollment', schema: s.EnrollmentAnswer }, ...NOT_FOUND },
    handler: async ({ params }) =>
      answer('Successfully retrieved program enrollment details.', {
        enrollment: await enrollments.detail(params.userId, params.enrollmentId),
      }),
  });

  route({
    method: 'post',
    path: '/api/v1/users/{userId}/enrollments',
    tag: 'enrollments',
    auth: 'self',
    summary: 'Enroll in a program: an invoice to pay by virtual account before its due time',
    description:
      'Starts the enrollment workflow (academy-enrollment-<id>). Unpaid at paymentDueDatetime, the enrollment expires. 409 while an enrollment of the learner in the program is Unpaid or In Progress.',
    params: s.EnrollmentParams.pick({ userId: true }),
    body: s.EnrollBody,
    status: 201,
    responses: {
      201: { description: 'Enrolled', schema: s.EnrolledAnswer },
      404: { description: 'No such program (programId) or user' },
      409: { description: 'Already enrolled, or the program is not open for enrollment' },
      503: {
        description:
          'Temporal unavailable: the enrollment is recorded and its workflow starts once it answers',
      },
    },
    handler: async ({ params, body }) =>
      answer(
        'Successfully enrolled to a program. Please complete the payment to access the contents.',
        await enrollments.create(params.userId, body.programId),
        201,
      ),
  });

  route({
    method: 'patch',
    path: '/api/v1/users/{userId}/enrollments/{enrollmentId}',
    tag: 'enrollments',
    auth: 'admin',
    summary: 'Change an enrollment: mark its invoice paid by hand, or set its status',
    params: s.EnrollmentParams,
    body: s.EnrollmentChangeBody,
    responses: {
      200: {
        description: 'Changed (a payment opens the enrollment as its workflow takes it)',
        schema: s.EnrollmentAnswer,
      },
      409: {
        description: 'A change its state does not allow (an expired invoice, completing an unpaid one)',
      },
      ...NOT_FOUND,
    },
    handler: async ({ params, body }, ctx) =>
      answer('Successfully updated program enrollment details.', {
        enrollment: await enrollments.update(params.userId, params.enrollmentId, body, caller(ctx).user.id),
      }),
  });

  route({
    method: 'delete',
    path: '/api/v1/users/{userId}/enrollments/{enrollmentId}',
    tag: 'enrollments',
    auth: 'admin',
    summary: 'Delete an enrollment with its invoice and progress (its certificate stays)',
    params: s.EnrollmentParams,
    responses: { 200: { description: 'Deleted', schema: Empty }, ...NOT_FOUND },
    handler: async ({ params }) => {
      await enrollments.remove(params.userId, params.enrollmentId);
      return answer('Successfully deleted a program enrollment.', null);
    },
  });

  route({
    method: 'post',
    path: '/api/v1/users/{userId}/enrollments/{enrollmentId}/modules/{moduleId}/complete',
    tag: 'enrollments',
    auth: 'self',
    summary: 'Mark a module of the program done (an addition to academy.md)',
    description:
      "progressPercentage becomes the share of the program's modules done; at 100 the enrollment is Completed and its certificate is issued (PDF, mail). Twice counts once. 409 while the enrollment is not In Progress.",
    params: s.ModuleCompletionParams,
    responses: {
      200: { description: 'Progress recorded', schema: s.EnrollmentAnswer },
      404: { description: 'No such enrollment of this user, or no such module in its program' },
      409: { description: 'The enrollment is not In Progress (unpaid, expired, cancelled)' },
    },
    handler: async ({ params }) =>
      answer('Successfully recorded module completion.', {
        enrollment: await enrollments.completeModule(params.userId, params.enrollmentId, params.moduleId),
      }),
  });
}
