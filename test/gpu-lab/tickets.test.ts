import { newId } from '../../core/ids';
import { labAccount } from '../support/gpu-lab';
import { startApi, type TestApi } from '../support/api';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const account = (role: 'admin' | 'researcher') => labAccount(api, role);
const call = (method: string, path: string, token: string, body?: unknown) =>
  api.request(method, `/gpu-lab/api/v1${path}`, { token, body });

describe('gpu-lab tickets', () => {
  it('are opened about your own container, seen by you and admins, closed by you, worked by admins', async () => {
    const [alice, bob, admin] = [
      await account('researcher'),
      await account('researcher'),
      await account('admin'),
    ];
    const name = `tkt-ctr-${process.pid}-${Date.now().toString(36)}`;
    await api.db('gpu_lab.containers').insert({
      id: newId('ctr'),
      name,
      owner_id: alice.id,
      host_id: 'h',
      image: 'i',
      cpus: 1,
      memory_mb: 64,
      workspace: 'w',
      ssh_port: 1,
      jupyter_port: 2,
      jupyter_token_sealed: '-',
      status: 'running',
    });

    const opened = await call('POST', `/tiket/${name}`, alice.token, {
      subject: 'GPU tidak terdeteksi',
      description: 'nvidia-smi kosong',
    });
    expect(opened.status).toBe(201);
    const ticket = opened.body.data.ticket;
    expect(ticket).toMatchObject({ userId: alice.id, containerName: name, status: 'open', adminNote: null });
    expect((await call('POST', `/tiket/${name}`, bob.token, { subject: 's', description: 'd' })).status).toBe(
      404,
    );
    expect(
      (await call('POST', `/tiket/${name}`, alice.token, { subject: '', description: 'd' })).body,
    ).toMatchObject({ success: false, field: 'subject' });

    expect(
      (await call('GET', '/tiket', alice.token)).body.data.tickets.map((t: { id: string }) => t.id),
    ).toEqual([ticket.id]);
    expect((await call('GET', '/tiket', bob.token)).body.data.tickets).toEqual([]);
    expect((await call('PATCH', `/tiket/${ticket.id}`, bob.token, { status: 'closed' })).status).toBe(404);
    expect((await call('PATCH', `/tiket/${ticket.id}`, alice.token, { status: 'resolved' })).status).toBe(
      403,
    );
    expect((await call('GET', '/tiket/all', alice.token)).status).toBe(403);

    const worked = await call('PATCH', `/tiket/${ticket.id}`, admin.token, {
      status: 'in_progress',
      adminNote: 'Driver sedang diperiksa',
    });
    expect(worked.body.data.ticket).toMatchObject({
      status: 'in_progress',
      adminNote: 'Driver sedang diperiksa',
    });
    const all = await call('GET', '/tiket/all?status=in_progress&limit=200', admin.token);
    expect(all.body.data.tickets.map((t: { id: string }) => t.id)).toContain(ticket.id);
    expect(
      (await call('PATCH', `/tiket/${ticket.id}`, alice.token, { status: 'closed' })).body.data.ticket.status,
    ).toBe('closed');
    expect((await call('PATCH', `/tiket/${ticket.id}`, alice.token, { status: 'done' })).body).toMatchObject({
      success: false,
      field: 'status',
    });
  });
});
