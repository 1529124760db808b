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
const PAKET = {
  name: 'A100 80GB — 30 hari',
  gpuKind: 'A100-80GB',
  gpuCount: 1,
  cpus: 8,
  memoryGb: 64,
  diskGb: 200,
  durationDays: 30,
  priceIdr: 1_500_000,
};
const transfer = (paymentId: string, amountIdr: number) => ({
  paymentId,
  amountIdr,
  bankName: 'BCA',
  senderName: 'Siti Rahma',
  transferDate: '2026-11-25',
  proofUrl: 'https://files.example/bukti.jpg',
});

describe('gpu-lab packages and payments', () => {
  it('quotes a unique amount, records the transfer only at that amount, and lets an admin decide once', async () => {
    const [alice, bob, admin] = [
      await account('researcher'),
      await account('researcher'),
      await account('admin'),
    ];
    expect((await call('POST', '/paket', alice.token, PAKET)).status).toBe(403);
    const paket = (await call('POST', '/paket', admin.token, PAKET)).body.data.paket;
    expect(paket).toMatchObject({ ...PAKET, active: true, id: expect.stringMatching(/^pkt_/) });
    expect(
      (await call('GET', '/paket', alice.token)).body.data.paket.map((p: { id: string }) => p.id),
    ).toContain(paket.id);

    // Many researchers asking at once (three packages of one price each) never get the same amount;
    // each is the price with its last three digits randomised.
    const more = async (i: number) =>
      (await call('POST', '/paket', admin.token, { ...PAKET, name: `same price ${i}` })).body.data.paket;
    const same = [paket, await more(1), await more(2)];
    const askers = await Promise.all(Array.from({ length: 10 }, () => account('researcher')));
    const quotes = await Promise.all(
      askers.flatMap((r) => same.map((p) => call('GET', `/paket/generate-harga/${p.id}`, r.token))),
    );
    const amounts = quotes.map((q) => q.body.data.amountIdr);
    expect(new Set(amounts).size).toBe(30);
    for (const a of amounts)
      expect([a - (a % 1000), a % 1000 > 0 && a % 1000 < 1000]).toEqual([1_500_000, true]);

    const quote = (await call('GET', `/paket/generate-harga/${paket.id}`, bob.token)).body.data;
    expect(quote).toMatchObject({
      paketId: paket.id,
      priceIdr: 1_500_000,
      uniqueCode: quote.amountIdr - 1_500_000,
    });
    const wrong = await call('POST', '/payment', bob.token, transfer(quote.paymentId, 1_500_000));
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ success: false, field: 'amountIdr' });
    expect(
      (await call('POST', '/payment', alice.token, transfer(quote.paymentId, quote.amountIdr))).status,
    ).toBe(404); // not Alice's quote
    const recorded = await call('POST', '/payment', bob.token, transfer(quote.paymentId, quote.amountIdr));
    expect(recorded.status).toBe(201);
    expect(recorded.body.data.payment).toMatchObject({
      status: 'pending',
      amountIdr: quote.amountIdr,
      bankName: 'BCA',
    });
    expect(
      (await call('POST', '/payment', bob.token, transfer(quote.paymentId, quote.amountIdr))).status,
    ).toBe(409);

    expect(
      (await call('GET', '/payment/mypayments', bob.token)).body.data.payments.map(
        (p: { id: string }) => p.id,
      ),
    ).toEqual([quote.paymentId]);
    expect((await call('GET', '/payment', bob.token)).status).toBe(403);
    expect(
      (await call('PATCH', `/payment/${quote.paymentId}`, bob.token, { status: 'approved' })).status,
    ).toBe(403);
    expect(
      (await call('PATCH', `/payment/${quote.paymentId}`, admin.token, { status: 'rejected' })).body,
    ).toMatchObject({ success: false, field: 'reason' });
    const approved = await call('PATCH', `/payment/${quote.paymentId}`, admin.token, { status: 'approved' });
    expect(approved.body.data.payment).toMatchObject({ status: 'approved', decidedAt: expect.any(String) });
    const twice = await call('PATCH', `/payment/${quote.paymentId}`, admin.token, { status: 'approved' });
    expect(twice.status).toBe(409);
    expect((await call('DELETE', `/payment/${quote.paymentId}`, admin.token)).status).toBe(409);
    expect(
      (await call('GET', '/payment?status=approved&limit=200', admin.token)).body.data.payments.map(
        (p: { id: string }) => p.id,
      ),
    ).toContain(quote.paymentId);

    // A package with payments is retired, not deleted; one without is deleted.
    expect((await call('DELETE', `/paket/${paket.id}`, admin.token)).body.data).toEqual({
      deleted: paket.id,
      retired: true,
    });
    expect(
      (await call('GET', '/paket', alice.token)).body.data.paket.map((p: { id: string }) => p.id),
    ).not.toContain(paket.id);
    expect((await call('GET', `/paket/generate-harga/${paket.id}`, alice.token)).status).toBe(404);
    const spare = (await call('POST', '/paket', admin.token, { ...PAKET, name: 'spare' })).body.data.paket;
    expect((await call('DELETE', `/paket/${spare.id}`, admin.token)).body.data).toEqual({
      deleted: spare.id,
      retired: false,
    });
    expect((await call('POST', '/paket', admin.token, { ...PAKET, priceIdr: -5 })).body).toMatchObject({
      success: false,
      field: 'priceIdr',
    });
  });

  it("answers a researcher's open quote for a package again, and caps their open quotes (409), parallel asks included", async () => {
    const [alice, bob, admin] = [
      await account('researcher'),
      await account('researcher'),
      await account('admin'),
    ];
    const pakets = await Promise.all(
      [0, 1, 2, 3, 4].map(
        async (i) =>
          (
            await call('POST', '/paket', admin.token, {
              ...PAKET,
              name: `cap ${i}`,
              priceIdr: 2_000_000 + i * 1000,
            })
          ).body.data.paket,
      ),
    );
    const ask = (token: string, i: number) => call('GET', `/paket/generate-harga/${pakets[i].id}`, token);

    const again = await Promise.all([0, 0, 0].map((i) => ask(alice.token, i)));
    expect(again.map((q) => q.status)).toEqual([200, 200, 200]);
    expect(new Set(again.map((q) => q.body.data.paymentId)).size).toBe(1);
    expect(again[0].body.data).toMatchObject({
      paketId: pakets[0].id,
      uniqueCode: again[0].body.data.amountIdr - 2_000_000,
    });

    // The default cap is three open quotes: of four more packages asked at once, two are quoted.
    const more = await Promise.all([1, 2, 3, 4].map((i) => ask(alice.token, i)));
    expect(more.map((q) => q.status).sort()).toEqual([200, 200, 409, 409]);
    expect(more.find((q) => q.status === 409)?.body).toMatchObject({
      success: false,
      code: 'conflict',
      message: expect.stringMatching(/^you hold 3 open quotes \(at most 3\)/),
    });
    const open = await api.db('gpu_lab.payments').where({ user_id: alice.id, status: 'quoted' });
    expect(open).toHaveLength(3);
    expect((await ask(bob.token, 1)).status).toBe(200); // another researcher is not held up

    // Recording a transfer turns a quote into a pending payment: room for another quote.
    const first = again[0].body.data;
    expect(
      (await call('POST', '/payment', alice.token, transfer(first.paymentId, first.amountIdr))).status,
    ).toBe(201);
    const refused = [1, 2, 3, 4].find((i) => !open.some((p) => p.package_id === pakets[i].id))!;
    expect((await ask(alice.token, refused)).status).toBe(200);
  });

  it('accepts only an http(s) proofUrl', async () => {
    const [alice, admin] = [await account('researcher'), await account('admin')];
    const paket = (
      await call('POST', '/paket', admin.token, { ...PAKET, name: 'proof', priceIdr: 3_000_000 })
    ).body.data.paket;
    const quote = (await call('GET', `/paket/generate-harga/${paket.id}`, alice.token)).body.data;
    for (const proofUrl of [
      'javascript:alert(document.cookie)',
      'data:text/html,<script>1</script>',
      'ftp://files.example/a.jpg',
      'http//x',
    ]) {
      const res = await call('POST', '/payment', alice.token, {
        ...transfer(quote.paymentId, quote.amountIdr),
        proofUrl,
      });
      expect([proofUrl, res.status, res.body.field]).toEqual([proofUrl, 400, 'proofUrl']);
    }
    expect(
      (
        await call('POST', '/payment', alice.token, {
          ...transfer(quote.paymentId, quote.amountIdr),
          proofUrl: 'HTTP://files.example/a.jpg',
        })
      ).status,
    ).toBe(201);
  });
});

describe('gpu-lab answers', () => {
  // The success messages used to be Indonesian while every error was English. (Route names such as
  // paket, tiket and generate-harga are the contract's and stay.)
  const INDONESIAN = (
    'sedang berhasil daftar dibuat dihapus diperbarui ditambahkan dicatat dicabut dimulai diganti diterima ' +
    'pengguna pembayaran hasil pencarian semua profil registrasi statistik'
  ).split(' ');
  const indonesian = (m: string) =>
    m
      .toLowerCase()
      .split(/[^a-z]+/)
      .some((w) => INDONESIAN.includes(w));

  it('speak one language, English, in success and error messages alike', async () => {
    const [alice, admin] = [await account('researcher'), await account('admin')];
    const paket = (
      await call('POST', '/paket', admin.token, { ...PAKET, name: 'language', priceIdr: 4_000_000 })
    ).body;
    const answers = [
      paket,
      (await call('GET', '/paket', alice.token)).body,
      (await call('GET', `/paket/generate-harga/${paket.data.paket.id}`, alice.token)).body,
      (await call('GET', '/payment/mypayments', alice.token)).body,
      (await call('GET', '/users/profile', alice.token)).body,
      (await call('GET', '/tiket', alice.token)).body,
      (await call('GET', '/gpu', admin.token)).body,
      (await call('GET', '/docker/mycontainer', alice.token)).body,
      (await call('GET', '/paket/generate-harga/pkt_0000000000nothing', alice.token)).body,
      (await call('POST', '/payment', alice.token, { paymentId: 'nope' })).body,
      (await call('GET', '/payment', alice.token)).body,
      (await call('GET', '/docker/container/nothing-here', alice.token)).body,
    ];
    expect(answers.map((a) => typeof a.message)).toEqual(answers.map(() => 'string'));
    expect(answers.map((a) => a.message).filter(indonesian)).toEqual([]);
  });

  it('serves the GPU uuid pattern so that a validating client accepts every valid UUID', async () => {
    const doc = (await api.request('GET', '/openapi/gpu-lab.json')).body;
    const pattern = doc.components.schemas.CreateGpuRequest.properties.uuid.pattern;
    const re = new RegExp(pattern, 'u');
    for (const uuid of [
      'GPU-7fdaf0a5-179b-f636-d15d-daf243e3ff16',
      'MIG-7FDAF0A5-179B-F636-D15D-DAF243E3FF16',
      'gpu-7fdaf0a5-179b-f636-d15d-daf243e3ff16',
    ])
      expect([uuid, re.test(uuid)]).toEqual([uuid, true]);
    for (const bad of [
      'GPU-7fdaf0a5',
      'XPU-7fdaf0a5-179b-f636-d15d-daf243e3ff16',
      'GPU-7fdaf0a5-179b-f636-d15d-daf243e3ff16x',
    ])
      expect([bad, re.test(bad)]).toEqual([bad, false]);
  });
});
