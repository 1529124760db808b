import { labAccount } from '../support/gpu-lab';
import { startApi, type TestApi } from '../support/api';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const account = (role: 'admin' | 'researcher') => labAccount(api, role);
const call = (method: string, path: string, token: string, body?: unknown) => api.request(method, `/gpu-lab/api/v1${path}`, { token, body });
const PAKET = { name: 'A100 80GB — 30 hari', gpuKind: 'A100-80GB', gpuCount: 1, cpus: 8, memoryGb: 64, diskGb: 200, durationDays: 30, priceIdr: 1_500_000 };
const transfer = (paymentId: string, amountIdr: number) => ({ paymentId, amountIdr, bankName: 'BCA', senderName: 'Siti Rahma', transferDate: '2026-11-25', proofUrl: 'https://files.example/bukti.jpg' });

describe('gpu-lab packages and payments', () => {
  it('quotes a unique amount, records the transfer only at that amount, and lets an admin decide once', async () => {
    const [alice, bob, admin] = [await account('researcher'), await account('researcher'), await account('admin')];
    expect((await call('POST', '/paket', alice.token, PAKET)).status).toBe(403);
    const paket = (await call('POST', '/paket', admin.token, PAKET)).body.data.paket;
    expect(paket).toMatchObject({ ...PAKET, active: true, id: expect.stringMatching(/^pkt_/) });
    expect((await call('GET', '/paket', alice.token)).body.data.paket.map((p: { id: string }) => p.id)).toContain(paket.id);

    // Many researchers asking at once never get the same amount; each is the price with its last three digits randomised.
    const quotes = await Promise.all(Array.from({ length: 30 }, () => call('GET', `/paket/generate-harga/${paket.id}`, alice.token)));
    const amounts = quotes.map((q) => q.body.data.amountIdr);
    expect(new Set(amounts).size).toBe(30);
    for (const a of amounts) expect([a - (a % 1000), a % 1000 > 0 && a % 1000 < 1000]).toEqual([1_500_000, true]);

    const quote = (await call('GET', `/paket/generate-harga/${paket.id}`, bob.token)).body.data;
    expect(quote).toMatchObject({ paketId: paket.id, priceIdr: 1_500_000, uniqueCode: quote.amountIdr - 1_500_000 });
    const wrong = await call('POST', '/payment', bob.token, transfer(quote.paymentId, 1_500_000));
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ success: false, field: 'amountIdr' });
    expect((await call('POST', '/payment', alice.token, transfer(quote.paymentId, quote.amountIdr))).status).toBe(404); // not Alice's quote
    const recorded = await call('POST', '/payment', bob.token, transfer(quote.paymentId, quote.amountIdr));
    expect(recorded.status).toBe(201);
    expect(recorded.body.data.payment).toMatchObject({ status: 'pending', amountIdr: quote.amountIdr, bankName: 'BCA' });
    expect((await call('POST', '/payment', bob.token, transfer(quote.paymentId, quote.amountIdr))).status).toBe(409);

    expect((await call('GET', '/payment/mypayments', bob.token)).body.data.payments.map((p: { id: string }) => p.id)).toEqual([quote.paymentId]);
    expect((await call('GET', '/payment', bob.token)).status).toBe(403);
    expect((await call('PATCH', `/payment/${quote.paymentId}`, bob.token, { status: 'approved' })).status).toBe(403);
    expect((await call('PATCH', `/payment/${quote.paymentId}`, admin.token, { status: 'rejected' })).body).toMatchObject({ success: false, field: 'reason' });
    const approved = await call('PATCH', `/payment/${quote.paymentId}`, admin.token, { status: 'approved' });
    expect(approved.body.data.payment).toMatchObject({ status: 'approved', decidedAt: expect.any(String) });
    const twice = await call('PATCH', `/payment/${quote.paymentId}`, admin.token, { status: 'approved' });
    expect(twice.status).toBe(409);
    expect((await call('DELETE', `/payment/${quote.paymentId}`, admin.token)).status).toBe(409);
    expect((await call('GET', '/payment?status=approved&limit=200', admin.token)).body.data.payments.map((p: { id: string }) => p.id)).toContain(quote.paymentId);

    // A package with payments is retired, not deleted; one without is deleted.
    expect((await call('DELETE', `/paket/${paket.id}`, admin.token)).body.data).toEqual({ deleted: paket.id, retired: true });
    expect((await call('GET', '/paket', alice.token)).body.data.paket.map((p: { id: string }) => p.id)).not.toContain(paket.id);
    expect((await call('GET', `/paket/generate-harga/${paket.id}`, alice.token)).status).toBe(404);
    const spare = (await call('POST', '/paket', admin.token, { ...PAKET, name: 'spare' })).body.data.paket;
    expect((await call('DELETE', `/paket/${spare.id}`, admin.token)).body.data).toEqual({ deleted: spare.id, retired: false });
    expect((await call('POST', '/paket', admin.token, { ...PAKET, priceIdr: -5 })).body).toMatchObject({ success: false, field: 'priceIdr' });
  });
});
