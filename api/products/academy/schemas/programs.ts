import { z } from 'zod';
import { wholeNumber, wholeNumberParam } from '../../../http/whole-number';
import { ok, okList } from '../envelope';
import { Id, PageQuery, Search } from './common';

export const ProgramStatus = z.enum(['active', 'inactive', 'archived']);

/** Whole rupiah, up to a trillion (no program costs more). */
const PriceIDR = wholeNumber('bigint', 'must be a whole number of rupiah')
  .min(0, 'must not be negative')
  .max(1_000_000_000_000, 'must be at most 1000000000000');
const PriceParam = wholeNumberParam('bigint', 'must be a whole number of rupiah')
  .pipe(z.number().min(0, 'must not be negative'))
  .optional();

const Title = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const Description = z.string().max(10_000, 'must be at most 10000 characters');

export const AcademyProgram = z
  .object({
    id: z.number().int(),
    title: z.string(),
    description: z.string(),
    priceIDR: z.number().int(),
    status: ProgramStatus,
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('AcademyProgram');

export const ProgramIdParams = z.strictObject({ programId: Id.openapi({ example: 1 }) });

export const ProgramListQuery = z
  .object({
    ...PageQuery,
    search: Search.openapi({ description: 'Part of the title or description' }),
    status: ProgramStatus.optional().openapi({ description: 'Default: active' }),
    minPriceIDR: PriceParam,
    maxPriceIDR: PriceParam,
  })
  .openapi('AcademyProgramListQuery');

export const CreateProgramBody = z
  .strictObject({
    title: Title,
    description: Description.optional(),
    priceIDR: PriceIDR,
    status: ProgramStatus.optional().openapi({ description: 'Default: active' }),
  })
  .openapi('AcademyCreateProgramBody');

export const UpdateProgramBody = z
  .strictObject({
    title: Title.optional(),
    description: Description.optional(),
    priceIDR: PriceIDR.optional(),
    status: ProgramStatus.optional(),
  })
  .openapi('AcademyUpdateProgramBody');

export const ProgramAnswer = ok(z.object({ program: AcademyProgram })).openapi('AcademyProgramAnswer');
export const ProgramListAnswer = okList(z.object({ programs: z.array(AcademyProgram) })).openapi(
  'AcademyProgramList',
);
export const ProgramDeletedAnswer = ok(z.object({ program: AcademyProgram }).nullable()).openapi(
  'AcademyProgramDeleted',
);
