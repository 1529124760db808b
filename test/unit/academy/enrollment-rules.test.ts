import { certificateNumber, newVerificationCode } from '../../../activities/academy/certificate-ids';
import { renderCertificatePdf } from '../../../activities/academy/certificate-pdf';
import { invoiceIdOf, invoiceReference } from '../../../api/products/academy/invoice-payments';
import { newVirtualAccountNumber } from '../../../api/products/academy/virtual-accounts';
import { callbackSecrets } from '../../../api/products/academy/config';

describe('academy enrollment rules', () => {
  it('makes verification codes of 12 unambiguous characters in three groups, different each time', () => {
    const codes = new Set(Array.from({ length: 1000 }, newVerificationCode));
    expect(codes.size).toBe(1000);
    for (const code of codes)
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it('numbers a certificate by its year and id', () => {
    expect(certificateNumber(42, new Date('2026-12-02T10:00:00Z'))).toBe('ACAD-2026-000042');
    expect(certificateNumber(1234567, new Date('2027-01-01T00:00:00Z'))).toBe('ACAD-2027-1234567');
  });

  it('gives virtual account numbers of 13 digits behind the bank prefix', () => {
    const n = newVirtualAccountNumber('8808');
    expect(n).toMatch(/^8808\d{9}$/);
    expect(newVirtualAccountNumber('12345678')).toMatch(/^12345678\d{5}$/);
  });

  it('reads an invoice id only from its own reference', () => {
    expect(invoiceIdOf(invoiceReference(17))).toBe(17);
    for (const bad of [
      '17',
      'academy-invoice-',
      'academy-invoice-0',
      'academy-invoice-017',
      'inv_1',
      'academy-invoice-99999999999',
    ])
      expect(invoiceIdOf(bad)).toBeNull();
  });

  it("verifies callbacks with academy's own secrets, else billing's (one merchant account)", () => {
    expect(callbackSecrets({ XENDIT_CALLBACK_TOKEN: 'b', MIDTRANS_SERVER_KEY: 'm' })).toEqual({
      xendit: 'b',
      midtrans: 'm',
    });
    expect(
      callbackSecrets({
        ACADEMY_XENDIT_CALLBACK_TOKEN: 'a',
        XENDIT_CALLBACK_TOKEN: 'b',
        ACADEMY_MIDTRANS_SERVER_KEY: 'k',
      }),
    ).toEqual({ xendit: 'a', midtrans: 'k' });
    expect(callbackSecrets({})).toEqual({ xendit: undefined, midtrans: undefined });
  });

  it('renders a certificate as a PDF', async () => {
    const pdf = await renderCertificatePdf({
      learnerName: 'Siti Rahma',
      programTitle: 'Data Engineering',
      issuedAt: new Date('2026-12-02T10:00:00Z'),
      number: 'ACAD-2026-000001',
      verificationCode: 'ABCD-EFGH-JKMN',
      verifyUrl: 'http://localhost:3000/academy/api/v1/certificates/verify/ABCD-EFGH-JKMN',
    });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(1000);
  });
});
