import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { wholeNumberParam } from '../../../http/whole-number';
import { ok } from '../envelope';

const TicketStatus = z.enum(['open', 'in_progress', 'resolved', 'closed']);
export const OpenTicketBody = z
  .strictObject({
    subject: z.string().trim().min(1, 'is required').max(200),
    description: z.string().trim().min(1, 'is required').max(5000),
  })
  .openapi('OpenTicketRequest');
export const UpdateTicketBody = z
  .strictObject({ status: TicketStatus, adminNote: z.string().trim().max(5000).optional() })
  .openapi('UpdateTicketRequest');
export const TicketIdParams = z.strictObject({
  tiketId: z.string().regex(/^tkt_[a-z0-9]{10,40}$/, 'must be a tkt_ id'),
});
export const ListTicketsQuery = z.strictObject({
  status: TicketStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: wholeNumberParam('bigint').min(0).default(0),
});
export const Ticket = z
  .object({
    id: z.string(),
    userId: z.string(),
    containerName: z.string(),
    subject: z.string(),
    description: z.string(),
    status: TicketStatus,
    adminNote: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Ticket');
export const TicketAnswer = ok(z.object({ ticket: Ticket })).openapi('TicketAnswer');
export const TicketList = ok(
  z.object({ tickets: z.array(Ticket), total: z.number().int().optional() }),
).openapi('TicketList');

export { ContainerNameParams } from './common';
