import type { Knex } from 'knex';
import PDFDocument from 'pdfkit';
import type Stripe from 'stripe';
import type { Config } from '../../../core/config';
import { Conflict, NotFound } from '../../../core/errors';
import { toStripeAmount } from '../../../core/payments';
import { writeAudit } from '../../http/audit';
import { productUrl } from '../../http/mount';
import type { BillingCaller } from './auth';
import type { CustomerRow, InvoiceRow } from '../../../types/billing';

const money = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency.toUpperCase()}`;

/** The invoice as a PDF: who, number, period, each line and the totals (pdfkit, A4). */
function renderPdf(inv: InvoiceRow, customer: CustomerRow): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Invoice ${inv.number}` } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(20).text(`Invoice ${inv.number}`);
    doc
      .moveDown()
      .fontSize(11)
      .text(
        `Billed to: ${customer.name} <${customer.email}>${customer.company ? `, ${customer.company}` : ''}`,
      );
    doc.text(`Issued: ${new Date(inv.created_at).toISOString().slice(0, 10)}    Status: ${inv.status}`);
    if (inv.period_start && inv.period_end)
      doc.text(
        `Period: ${new Date(inv.period_start).toISOString().slice(0, 10)} to ${new Date(inv.period_end).toISOString().slice(0, 10)}`,
      );
    doc.moveDown();
    for (const line of inv.line_items as { description: string; amount_cents: number }[])
      doc.text(`${line.description}    ${money(line.amount_cents, inv.currency)}`);
    doc.moveDown().text(`Subtotal: ${money(inv.subtotal_cents, inv.currency)}`);
    if (inv.credits_applied_cents)
      doc.text(`Credits applied: ${money(-inv.credits_applied_cents, inv.currency)}`);
    doc.fontSize(13).text(`Total: ${money(inv.total_cents, inv.currency)}`);
    doc.end();
  });
}

/** A customer's invoices (another's are 404), their PDF, paying one by hand, and the admins' failed list. */
export function createInvoiceService(deps: { db: Knex; config: Config; stripe: Stripe }) {
  const { db, config, stripe } = deps;
  // Links follow wherever MOUNTS puts billing (at / the document's paths are served as written).
  const invoiceUrl = (id: string) => `${productUrl(config, 'billing')}/api/v1/invoices/${id}`;
  const own = async (caller: BillingCaller, id: string) => {
    const inv = await db('billing.invoices').where({ id, customer_id: caller.customer.id }).first();
    if (!inv) throw new NotFound(`invoice ${id}`);
    return inv;
  };
  const summary = (i: InvoiceRow) => ({
    id: i.id,
    invoice_number: i.number,
    total_cents: i.total_cents,
    currency: i.currency,
    status: i.status,
    kind: i.kind,
    created_at: new Date(i.created_at).toISOString(),
  });

  return {
    async list(caller: BillingCaller, q: { status?: string; limit: number; offset: number }) {
      const rows = await db('billing.invoices')
        .where({ customer_id: caller.customer.id })
        .modify((b) => q.status && b.where({ status: q.status }))
        .orderBy('created_at', 'desc')
        .limit(q.limit)
        .offset(q.offset);
      return rows.map(summary);
    },

    async detail(caller: BillingCaller, id: string) {
      const i = await own(caller, id);
      return {
        ...summary(i),
        line_items: i.line_items,
        subtotal_cents: i.subtotal_cents,
        credits_applied_cents: i.credits_applied_cents,
        period_start: i.period_start ? new Date(i.period_start).toISOString() : null,
        period_end: i.period_end ? new Date(i.period_end).toISOString() : null,
        paid_at: i.paid_at ? new Date(i.paid_at).toISOString() : null,
        failure_reason: i.failure_reason,
        pdf_url: `${invoiceUrl(i.id)}/pdf`,
      };
    },

    async pdf(caller: BillingCaller, id: string) {
      const i = await own(caller, id);
      return { number: i.number as string, body: await renderPdf(i, caller.customer) };
    },

    /** A Stripe Checkout page for the amount due; its success arrives by webhook (metadata.invoice_id). */
    async pay(caller: BillingCaller, id: string, ip: string) {
      const i = await own(caller, id);
      if (!['open', 'failed'].includes(i.status))
        throw new Conflict(`invoice ${i.number} is ${i.status}; only an open or failed invoice is paid`);
      const session = await stripe.checkout.sessions.create({
        mode: 'payment',
        ...(caller.customer.stripe_customer_id && { customer: caller.customer.stripe_customer_id }),
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: i.currency,
              unit_amount: toStripeAmount(i.total_cents, i.currency),
              product_data: { name: `Invoice ${i.number}` },
            },
          },
        ],
        payment_intent_data: { metadata: { invoice_id: i.id } },
        metadata: { invoice_id: i.id },
        success_url: invoiceUrl(i.id),
        cancel_url: invoiceUrl(i.id),
      });
      await db('billing.invoices')
        .where({ id })
        .update({ checkout_session_id: session.id, updated_at: db.fn.now() });
      await writeAudit(db, 'billing', {
        actor: caller.customer.email,
        action: 'invoice.pay',
        target: `invoice:${id}`,
        ip,
        outcome: 'success',
      });
      return { payment_intent_url: session.url };
    },

    async failed() {
      const rows = await db('billing.invoices as i')
        .join('billing.customers as c', 'c.id', 'i.customer_id')
        .where('i.status', 'failed')
        .orderBy('i.updated_at', 'desc')
        .select('i.*', 'c.name', 'c.email');
      return rows.map((r) => ({
        invoice_id: r.id,
        invoice_number: r.number,
        customer: { id: r.customer_id, name: r.name, email: r.email },
        amount: r.total_cents,
        currency: r.currency,
        attempts: r.attempts,
        failure_reason: r.failure_reason,
        updated_at: new Date(r.updated_at).toISOString(),
      }));
    },
  };
}
export type InvoiceService = ReturnType<typeof createInvoiceService>;
