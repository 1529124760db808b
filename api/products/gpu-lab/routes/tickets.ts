import { caller } from './context';
import { answer } from '../envelope';
import * as s from '../schemas/tickets';
import type { LabRoute, LabServices } from './context';

/** Tickets (`tiket`) about containers. */
export function ticketRoutes(route: LabRoute, { tickets }: LabServices): void {
  route({
    method: 'get',
    path: '/api/v1/tiket/all',
    tag: 'tickets',
    auth: 'admin',
    summary: "Every user's tickets, newest first",
    query: s.ListTicketsQuery,
    responses: { 200: { description: 'Tickets', schema: s.TicketList } },
    handler: async ({ query }) => answer('All tickets', await tickets.all(query)),
  });

  route({
    method: 'get',
    path: '/api/v1/tiket',
    tag: 'tickets',
    auth: 'user',
    summary: "The caller's tickets",
    responses: { 200: { description: 'Tickets', schema: s.TicketList } },
    handler: async (_, ctx) => answer('Your tickets', await tickets.mine(caller(ctx))),
  });

  route({
    method: 'post',
    path: '/api/v1/tiket/{containerName}',
    tag: 'tickets',
    auth: 'user',
    summary: 'Open a ticket about one of your containers',
    params: s.ContainerNameParams,
    body: s.OpenTicketBody,
    status: 201,
    responses: {
      201: { description: 'Opened', schema: s.TicketAnswer },
      404: { description: 'No such container of yours' },
    },
    handler: async ({ params, body }, ctx) =>
      answer('Ticket opened', await tickets.open(caller(ctx), params.containerName, body, ctx.ip)),
  });

  route({
    method: 'patch',
    path: '/api/v1/tiket/{tiketId}',
    tag: 'tickets',
    auth: 'user',
    summary:
      "Update a ticket's status (researchers close or reopen; admins also in_progress, resolved, and a note)",
    params: s.TicketIdParams,
    body: s.UpdateTicketBody,
    responses: {
      200: { description: 'Updated', schema: s.TicketAnswer },
      403: { description: 'A researcher setting an admin status' },
    },
    handler: async ({ params, body }, ctx) =>
      answer('Ticket updated', await tickets.update(caller(ctx), params.tiketId, body, ctx.ip)),
  });
}
