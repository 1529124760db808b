import { z } from 'zod';
import { wholeNumber } from '../../../http/whole-number';
import { ok, okList } from '../envelope';
import { Id, PageQuery } from './common';

const Title = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const Position = wholeNumber('integer', 'must be a whole number').min(1, 'must be at least 1');

export const AcademyModule = z
  .object({
    id: z.number().int(),
    programId: z.number().int(),
    title: z.string(),
    description: z.string(),
    position: z.number().int(),
    content: z.string().nullable().openapi({
      description: 'null until the program is open to the caller (admins, paid enrollments)',
    }),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('AcademyModule');

export const ModuleListParams = z.strictObject({ programId: Id.openapi({ example: 1 }) });
export const ModuleParams = z.strictObject({
  programId: Id.openapi({ example: 1 }),
  moduleId: Id.openapi({ example: 1 }),
});
export const ModuleListQuery = z.object(PageQuery).openapi('AcademyModuleListQuery');

export const CreateModuleBody = z
  .strictObject({
    title: Title,
    description: z.string().max(10_000, 'must be at most 10000 characters').optional(),
    content: z.string().max(200_000, 'must be at most 200000 characters').optional(),
    position: Position.optional().openapi({ description: 'Order in the program; default: last' }),
  })
  .openapi('AcademyCreateModuleBody');

export const UpdateModuleBody = CreateModuleBody.partial().openapi('AcademyUpdateModuleBody');

export const ModuleAnswer = ok(z.object({ module: AcademyModule })).openapi('AcademyModuleAnswer');
export const ModuleListAnswer = okList(z.object({ modules: z.array(AcademyModule) })).openapi(
  'AcademyModuleList',
);
