import { answer, listAnswer } from '../envelope';
import * as s from '../schemas/programs';
import { caller, type AcademyRoute, type AcademyServices } from './context';

/** Programs: public reads; admins create, update, delete (or archive, when it has enrollments). */
export function programRoutes(route: AcademyRoute, { programs }: AcademyServices): void {
  route({
    method: 'get',
    path: '/api/v1/programs',
    tag: 'programs',
    auth: 'public',
    summary: 'List programs by page (active ones unless a status is asked), with search and price filters',
    query: s.ProgramListQuery,
    responses: { 200: { description: 'A page of programs', schema: s.ProgramListAnswer } },
    handler: async ({ query }) => {
      const { programs: list, pagination } = await programs.list(query);
      return listAnswer('Successfully retrieved all programs.', { programs: list }, pagination);
    },
  });

  route({
    method: 'get',
    path: '/api/v1/programs/{programId}',
    tag: 'programs',
    auth: 'public',
    summary: 'Read a program (archived ones too: their learners still refer to them)',
    params: s.ProgramIdParams,
    responses: { 200: { description: 'The program', schema: s.ProgramAnswer } },
    handler: async ({ params }) =>
      answer('Successfully retrieved program details.', { program: await programs.get(params.programId) }),
  });

  route({
    method: 'post',
    path: '/api/v1/programs',
    tag: 'programs',
    auth: 'admin',
    summary: 'Create a program (admins)',
    body: s.CreateProgramBody,
    status: 201,
    responses: { 201: { description: 'Created', schema: s.ProgramAnswer } },
    handler: async ({ body }, ctx) =>
      answer(
        'Successfully created a new program.',
        { program: await programs.create(body, caller(ctx), ctx.ip) },
        201,
      ),
  });

  route({
    method: 'patch',
    path: '/api/v1/programs/{programId}',
    tag: 'programs',
    auth: 'admin',
    summary: 'Update a program (admins); inactive or archived: no new enrollments',
    params: s.ProgramIdParams,
    body: s.UpdateProgramBody,
    responses: { 200: { description: 'Updated', schema: s.ProgramAnswer } },
    handler: async ({ params, body }, ctx) =>
      answer('Successfully updated program details.', {
        program: await programs.update(params.programId, body, caller(ctx), ctx.ip),
      }),
  });

  route({
    method: 'delete',
    path: '/api/v1/programs/{programId}',
    tag: 'programs',
    auth: 'admin',
    summary: 'Delete a program (admins); one with enrollments is archived instead',
    description:
      'Without enrollments the program and its modules are deleted (data null). With enrollments it is archived: it leaves the public list and takes no enrollments, while its learners keep their enrollments and certificates (data.program, status archived).',
    params: s.ProgramIdParams,
    responses: { 200: { description: 'Deleted or archived', schema: s.ProgramDeletedAnswer } },
    handler: async ({ params }, ctx) => {
      const { archived } = await programs.remove(params.programId, caller(ctx), ctx.ip);
      return archived
        ? answer('The program has enrollments, so it was archived instead of deleted.', { program: archived })
        : answer('Successfully deleted a program.', null);
    },
  });
}
