import { answer, listAnswer } from '../envelope';
import { Empty } from '../schemas/common';
import * as s from '../schemas/modules';
import { caller, type AcademyRoute, type AcademyServices } from './context';

/** A program's modules: any signed-in account reads them; admins create, update, delete. */
export function moduleRoutes(route: AcademyRoute, { modules }: AcademyServices): void {
  route({
    method: 'get',
    path: '/api/v1/programs/{programId}/modules',
    tag: 'modules',
    auth: 'user',
    summary: "List a program's modules in order (content: null until the program is open to the caller)",
    params: s.ModuleListParams,
    query: s.ModuleListQuery,
    responses: { 200: { description: 'A page of modules', schema: s.ModuleListAnswer } },
    handler: async ({ params, query }, ctx) => {
      const { modules: list, pagination } = await modules.list(params.programId, query, caller(ctx));
      return listAnswer('Successfully retrieved all modules.', { modules: list }, pagination);
    },
  });

  route({
    method: 'get',
    path: '/api/v1/programs/{programId}/modules/{moduleId}',
    tag: 'modules',
    auth: 'user',
    summary: 'Read a module',
    params: s.ModuleParams,
    responses: { 200: { description: 'The module', schema: s.ModuleAnswer } },
    handler: async ({ params }, ctx) =>
      answer('Successfully retrieved module details.', {
        module: await modules.get(params.programId, params.moduleId, caller(ctx)),
      }),
  });

  route({
    method: 'post',
    path: '/api/v1/programs/{programId}/modules',
    tag: 'modules',
    auth: 'admin',
    summary: 'Create a module (admins)',
    params: s.ModuleListParams,
    body: s.CreateModuleBody,
    status: 201,
    responses: { 201: { description: 'Created', schema: s.ModuleAnswer } },
    handler: async ({ params, body }, ctx) =>
      answer(
        'Successfully created a new module.',
        { module: await modules.create(params.programId, body, caller(ctx), ctx.ip) },
        201,
      ),
  });

  route({
    method: 'patch',
    path: '/api/v1/programs/{programId}/modules/{moduleId}',
    tag: 'modules',
    auth: 'admin',
    summary: 'Update a module (admins)',
    params: s.ModuleParams,
    body: s.UpdateModuleBody,
    responses: { 200: { description: 'Updated', schema: s.ModuleAnswer } },
    handler: async ({ params, body }, ctx) =>
      answer('Successfully updated module details.', {
        module: await modules.update(params.programId, params.moduleId, body, caller(ctx), ctx.ip),
      }),
  });

  route({
    method: 'delete',
    path: '/api/v1/programs/{programId}/modules/{moduleId}',
    tag: 'modules',
    auth: 'admin',
    summary: 'Delete a module (admins); refused (409) once learners have completed it',
    params: s.ModuleParams,
    responses: {
      200: { description: 'Deleted', schema: Empty },
      409: { description: 'Completed by learners' },
    },
    handler: async ({ params }, ctx) => {
      await modules.remove(params.programId, params.moduleId, caller(ctx), ctx.ip);
      return answer('Successfully deleted a module.', null);
    },
  });
}
