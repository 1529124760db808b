import { reply } from '../../../http/route';
import * as s from '../schemas/updates';
import { caller, type PanelRoute, type PanelServices } from './context';

/** Self-update: what runs, whether the followed branch moved, and the updater unit. */
export function updateRoutes(route: PanelRoute, { updates }: PanelServices): void {
  route({
    method: 'get',
    path: '/v1/panel/version',
    tag: 'panel',
    auth: 'admin',
    summary: 'Version, commit and build time of the running panel',
    responses: { 200: { description: 'Build metadata', schema: s.PanelVersion } },
    handler: async () => updates.version(),
  });
  route({
    method: 'get',
    path: '/v1/panel/update/check',
    tag: 'panel',
    auth: 'admin',
    summary: 'Compare the running commit with the followed branch head',
    description: 'Runs `git ls-remote` on the configured repository; `unknown` comes with the reason.',
    responses: { 200: { description: 'Comparison', schema: s.UpdateCheck } },
    handler: () => updates.check(),
  });
  route({
    method: 'post',
    path: '/v1/panel/update',
    audit: 'panel.update',
    tag: 'panel',
    auth: 'admin',
    summary: 'Start the updater as a transient systemd unit',
    description:
      'Starts `nusantara-panel-updater.service`; the panel may restart when it finishes. Where systemd is not running: 503, nothing changed.',
    status: 202,
    responses: {
      202: { description: 'Updater started', schema: s.UpdateStarted },
      409: { description: 'An update is already running' },
      503: { description: 'No systemd on this host' },
    },
    handler: async (_, ctx) => reply(202, await updates.start(caller(ctx), ctx.ip)),
  });
  route({
    method: 'get',
    path: '/v1/panel/update/status',
    tag: 'panel',
    auth: 'admin',
    summary: "The updater unit's state and newest journal lines",
    responses: { 200: { description: 'Updater state', schema: s.UpdateStatus } },
    handler: () => updates.status(),
  });
}
