import * as s from '../schemas/monitor';
import type { PanelRoute, PanelServices } from './context';

/** Monitoring read from the panel's host itself. */
export function monitorRoutes(route: PanelRoute, { monitor }: PanelServices): void {
  route({
    method: 'get',
    path: '/v1/monitor/host',
    tag: 'monitor',
    auth: 'admin',
    summary: 'CPU, memory, swap, disks and uptime of this host',
    responses: { 200: { description: 'Host readings', schema: s.HostStatus } },
    handler: () => monitor.host(),
  });
  route({
    method: 'get',
    path: '/v1/monitor/services',
    tag: 'monitor',
    auth: 'admin',
    summary: 'State of nginx, MariaDB, PHP-FPM and the panel worker',
    description:
      'Each status comes from `systemctl is-active` where systemd runs; elsewhere from the process table, and `method` says which. The worker is checked through the Temporal pollers of its queues.',
    responses: { 200: { description: 'Service states', schema: s.ServiceStatus } },
    handler: () => monitor.services(),
  });
}
