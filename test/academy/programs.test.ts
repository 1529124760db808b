import { useAcademy } from '../support/academy';

const academy = useAcademy();
const { call } = academy;

const program = (title: string, extra: Record<string, unknown> = {}) => ({
  title,
  description: 'Belajar dari nol',
  priceIDR: 150000,
  ...extra,
});

describe('academy programs', () => {
  it('an admin creates, updates and deletes a program; anyone reads it', async () => {
    const admin = await academy.admin();
    const created = await call('POST', '/programs', admin.token, program('Web Dasar'));
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      success: true,
      statusCode: 201,
      message: 'Successfully created a new program.',
      data: {
        program: {
          id: expect.any(Number),
          title: 'Web Dasar',
          description: 'Belajar dari nol',
          priceIDR: 150000,
          status: 'active',
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      },
      errors: null,
    });
    const id = created.body.data.program.id;
    expect((await call('GET', `/programs/${id}`)).body.data.program.title).toBe('Web Dasar');
    const patched = await call('PATCH', `/programs/${id}`, admin.token, {
      priceIDR: 200000,
      status: 'inactive',
    });
    expect(patched.body.data.program).toMatchObject({ priceIDR: 200000, status: 'inactive' });
    const del = await call('DELETE', `/programs/${id}`, admin.token);
    expect(del.body).toMatchObject({ message: 'Successfully deleted a program.', data: null });
    expect((await call('GET', `/programs/${id}`)).status).toBe(404);
  });

  it('lists active programs by page, with search, status and price filters', async () => {
    const admin = await academy.admin();
    const tag = `Prog${Date.now().toString(36)}`;
    for (const [i, status] of ['active', 'active', 'active', 'inactive'].entries())
      await call(
        'POST',
        '/programs',
        admin.token,
        program(`${tag} ${i}`, { status, priceIDR: 100000 * (i + 1) }),
      );
    const page = await call('GET', `/programs?search=${tag}&limit=2&page=2`);
    expect(page.body).toMatchObject({
      message: 'Successfully retrieved all programs.',
      pagination: {
        currentRecords: 1,
        totalRecords: 3,
        currentPage: 2,
        totalPages: 2,
        nextPage: null,
        prevPage: 1,
      },
    });
    expect(page.body.data.programs.map((p: { title: string }) => p.title)).toEqual([`${tag} 2`]);
    const inactive = await call('GET', `/programs?search=${tag}&status=inactive`);
    expect(inactive.body.data.programs.map((p: { title: string }) => p.title)).toEqual([`${tag} 3`]);
    const priced = await call('GET', `/programs?search=${tag}&minPriceIDR=150000&maxPriceIDR=250000`);
    expect(priced.body.data.programs.map((p: { title: string }) => p.title)).toEqual([`${tag} 1`]);
  });

  it('archives a program that enrollments refer to instead of deleting it', async () => {
    const admin = await academy.admin();
    const id = (await call('POST', '/programs', admin.token, program('Punya peserta'))).body.data.program.id;
    // A row that refers to the program as an enrollment does (foreign key, no cascade).
    const db = academy.api().db;
    await db.raw(
      'create table if not exists academy.test_program_refs (program_id integer not null references academy.programs (id))',
    );
    await db('academy.test_program_refs').insert({ program_id: id });
    const del = await call('DELETE', `/programs/${id}`, admin.token);
    expect(del.body).toMatchObject({
      statusCode: 200,
      message: 'The program has enrollments, so it was archived instead of deleted.',
      data: { program: { id, status: 'archived' } },
    });
    expect((await call('GET', `/programs/${id}`)).body.data.program.status).toBe('archived');
    const listed = await call('GET', '/programs?search=Punya%20peserta');
    expect(listed.body.data.programs.some((p: { id: number }) => p.id === id)).toBe(false);
    await db.raw('drop table academy.test_program_refs');
  });

  it('refuses learners on admin routes and bad input naming the field', async () => {
    const admin = await academy.admin();
    const learner = await academy.learner();
    expect((await call('POST', '/programs', learner.token, program('X'))).status).toBe(403);
    expect((await call('POST', '/programs')).status).toBe(401);
    for (const [body, field, reason] of [
      [program('X', { priceIDR: 1.5 }), 'priceIDR', 'must be a whole number of rupiah'],
      [program('X', { priceIDR: -1 }), 'priceIDR', 'must not be negative'],
      [program(''), 'title', 'must not be empty'],
      [program('X', { status: 'closed' }), 'status', expect.any(String)],
      [{ title: 'X' }, 'priceIDR', 'is required'],
    ] as const) {
      const res = await call('POST', '/programs', admin.token, body);
      expect([res.status, res.body.errors]).toEqual([
        400,
        [{ field, message: reason, code: 'invalid_request' }],
      ]);
    }
    const bad = await call('GET', '/programs/abc');
    expect([bad.status, bad.body.errors[0].field]).toEqual([400, 'programId']);
    expect((await call('GET', '/programs?page=0')).body.errors[0].field).toBe('page');
    expect((await call('GET', '/programs?limit=101')).body.errors[0].field).toBe('limit');
  });
});

describe('academy modules', () => {
  it('an admin builds a program of modules in order; a signed-in learner reads them without content', async () => {
    const admin = await academy.admin();
    const learner = await academy.learner();
    const pid = (await call('POST', '/programs', admin.token, program('Modul'))).body.data.program.id;
    const m1 = await call('POST', `/programs/${pid}/modules`, admin.token, {
      title: 'Pengenalan',
      content: 'Isi 1',
    });
    expect(m1.status).toBe(201);
    expect(m1.body.data.module).toMatchObject({
      programId: pid,
      title: 'Pengenalan',
      position: 1,
      content: 'Isi 1',
    });
    const m2 = await call('POST', `/programs/${pid}/modules`, admin.token, {
      title: 'Lanjut',
      content: 'Isi 2',
    });
    expect(m2.body.data.module.position).toBe(2);
    await call('PATCH', `/programs/${pid}/modules/${m2.body.data.module.id}`, admin.token, {
      position: 0,
    }).then((r) => expect(r.body.errors[0].field).toBe('position'));
    await call('PATCH', `/programs/${pid}/modules/${m1.body.data.module.id}`, admin.token, { position: 3 });

    expect((await call('GET', `/programs/${pid}/modules`)).status).toBe(401);
    const list = await call('GET', `/programs/${pid}/modules`, learner.token);
    expect(list.body).toMatchObject({
      message: 'Successfully retrieved all modules.',
      pagination: { currentRecords: 2, totalRecords: 2, totalPages: 1 },
    });
    expect(list.body.data.modules.map((m: { title: string; content: null }) => [m.title, m.content])).toEqual(
      [
        ['Lanjut', null],
        ['Pengenalan', null],
      ],
    );
    const asAdmin = await call('GET', `/programs/${pid}/modules/${m1.body.data.module.id}`, admin.token);
    expect(asAdmin.body.data.module.content).toBe('Isi 1');
    expect((await call('POST', `/programs/${pid}/modules`, learner.token, { title: 'X' })).status).toBe(403);

    // A module is reached only through its own program.
    const other = (await call('POST', '/programs', admin.token, program('Lain'))).body.data.program.id;
    expect(
      (await call('GET', `/programs/${other}/modules/${m1.body.data.module.id}`, learner.token)).status,
    ).toBe(404);
    expect((await call('GET', `/programs/${pid}/modules/x1`, learner.token)).body.errors[0].field).toBe(
      'moduleId',
    );

    // A module that a row refers to as a learner's completion does (foreign key, restrict) stays.
    const db = academy.api().db;
    await db.raw(
      'create table academy.test_module_refs (module_id integer not null references academy.modules (id) on delete restrict)',
    );
    await db('academy.test_module_refs').insert({ module_id: m1.body.data.module.id });
    const kept = await call('DELETE', `/programs/${pid}/modules/${m1.body.data.module.id}`, admin.token);
    expect([kept.status, kept.body.errors[0].field]).toEqual([409, 'moduleId']);
    await db.raw('drop table academy.test_module_refs');

    const del = await call('DELETE', `/programs/${pid}/modules/${m1.body.data.module.id}`, admin.token);
    expect(del.body).toMatchObject({ message: 'Successfully deleted a module.', data: null });
    expect((await call('GET', `/programs/${pid}/modules`, learner.token)).body.pagination.totalRecords).toBe(
      1,
    );
  });
});
