import PDFDocument from 'pdfkit';

export interface CertificateContent {
  learnerName: string;
  programTitle: string;
  issuedAt: Date;
  number: string;
  verificationCode: string;
  /** Where anyone can check the code (the public verification read). */
  verifyUrl: string;
}

const dateOf = (d: Date) =>
  d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** The certificate as a one-page landscape A4 PDF (pdfkit): who, what, when, its number and code. */
export function renderCertificatePdf(c: CertificateContent): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      layout: 'landscape',
      margin: 60,
      info: { Title: `Certificate ${c.number}`, Subject: c.programTitle, Author: 'Dermaga Academy' },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const centred = { align: 'center' as const };
    doc.rect(30, 30, doc.page.width - 60, doc.page.height - 60).stroke();
    doc.moveDown(2).fontSize(30).text('Certificate of Completion', centred);
    doc.moveDown().fontSize(14).text('This certifies that', centred);
    doc.moveDown(0.5).fontSize(26).text(c.learnerName, centred);
    doc.moveDown(0.5).fontSize(14).text('has completed the program', centred);
    doc.moveDown(0.5).fontSize(20).text(c.programTitle, centred);
    doc
      .moveDown()
      .fontSize(13)
      .text(`on ${dateOf(c.issuedAt)}`, centred);
    doc.moveDown(2).fontSize(11).text(`Certificate number: ${c.number}`, centred);
    doc.text(`Verification code: ${c.verificationCode}`, centred);
    doc.text(`Verify at ${c.verifyUrl}`, centred);
    doc.end();
  });
}
