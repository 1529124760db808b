import type { Knex } from 'knex';
import { randomInt } from 'node:crypto';
import type { Config } from '../../../core/config';
import { Conflict, Invalid, NotFound, Unavailable } from '../../../core/errors';
import { newId } from '../../../core/ids';
import type { Temporal } from '../../../core/temporal';
import { writeAudit } from '../../http/audit';
import type { LabCaller } from './auth';
import { leaseEnd, payLease } from './leases';
import type { Package, Payment } from './models';

const QUOTE_MINUTES = 60;
const packageView = (p: Package) => ({
  id: p.id,
  name: p.name,
  gpuKind: p.gpu_kind,
  gpuCount: p.gpu_count,
  cpus: Number(p.cpus),
  memoryGb: p.memory_gb,
  diskGb: p.disk_gb,
  durationDays: p.duration_days,
  priceIdr: Number(p.price_idr),
  active: p.active,
});
const paymentView = (p: Payment) => ({
  id: p.id,
  userId: p.user_id,
  paketId: p.package_id,
  amountIdr: Number(p.amount_idr),
  status: p.status,
  quoteExpiresAt: new Date(p.quote_expires_at).toISOString(),
  bankName: p.bank_name,
  senderName: p.sender_name,
  transferDate: p.transfer_date ? new Date(p.transfer_date).toISOString().slice(0, 10) : null,
  proofUrl: p.proof_url,
  extendsContainerId: p.extends_container_id ?? null,
  leaseExtendedAt: p.lease_extended_at ? new Date(p.lease_extended_at).toISOString() : null,
  rejectReason: p.reject_reason,
  decidedAt: p.decided_at ? new Date(p.decided_at).toISOString() : null,
  createdAt: new Date(p.created_at).toISOString(),
});
const isOpenAmountClash = (err: unknown) =>
  (err as { constraint?: string }).constraint === 'payments_open_amount_unique';

/**
 * Packages and their bank-transfer payments: quote, record the transfer, an admin decides. A
 * payment pays for a new container (created from it) or extends one of the researcher's own.
 */
export function createPaymentService(deps: { db: Knex; temporal: Temporal; config: Config }) {
  const { db } = deps;

  /**
   * An approved extension moves the container's lease end by the package's days, before the
   * approval commits: if the workflow engine cannot be told, the payment stays pending (503).
   */
  async function extend(trx: Knex.Transaction, p: Payment): Promise<Payment> {
    const c = await trx('gpu_lab.containers').where({ id: p.extends_container_id }).forUpdate().first();
    const pkg = await trx('gpu_lab.packages').where({ id: p.package_id }).first();
    const [row] = await trx('gpu_lab.payments')
      .where({ id: p.id })
      .update({ lease_extended_at: trx.fn.now() })
      .returning('*');
    await payLease(deps, c, leaseEnd(c.lease_ends_at, pkg.duration_days)).catch((err: Error) => {
      throw new Unavailable(
        `the lease of ${c.name} could not be extended now (${err.message}); the payment is still pending, try again shortly`,
      );
    });
    return row;
  }

  return {
    async createPackage(
      caller: LabCaller,
      input: {
        name: string;
        gpuKind: string;
        gpuCount: number;
        cpus: number;
        memoryGb: number;
        diskGb: number;
        durationDays: number;
        priceIdr: number;
      },
      ip: string,
    ) {
      const [row] = await db('gpu_lab.packages')
        .insert({
          id: newId('pkt'),
          name: input.name,
          gpu_kind: input.gpuKind,
          gpu_count: input.gpuCount,
          cpus: input.cpus,
          memory_gb: input.memoryGb,
          disk_gb: input.diskGb,
          duration_days: input.durationDays,
          price_idr: input.priceIdr,
        })
        .returning('*');
      await writeAudit(db, 'gpu-lab', {
        actor: caller.user.email,
        action: 'package.create',
        target: `package:${row.id}`,
        ip,
        outcome: 'success',
      });
      return { paket: packageView(row) };
    },

    async packages() {
      return {
        paket: (await db('gpu_lab.packages').where({ active: true }).orderBy('price_idr')).map(packageView),
      };
    },

    /** A package that payments refer to is retired (no longer offered), never deleted from under them. */
    async deletePackage(caller: LabCaller, id: string, ip: string) {
      const row = await db('gpu_lab.packages').where({ id }).first();
      if (!row || !row.active) throw new NotFound(`paket ${id}`);
      const used = await db('gpu_lab.payments').where({ package_id: id }).first();
      if (used) await db('gpu_lab.packages').where({ id }).update({ active: false });
      else await db('gpu_lab.packages').where({ id }).delete();
      await writeAudit(db, 'gpu-lab', {
        actor: caller.user.email,
        action: used ? 'package.retire' : 'package.delete',
        target: `package:${id}`,
        ip,
        outcome: 'success',
      });
      return { deleted: id, retired: Boolean(used) };
    },

    /**
     * The amount to transfer: the package price with its last three digits replaced by a random
     * 001–999, unique among open payments (the partial unique index decides a race), held for the
     * caller for an hour. A researcher's open quote for the same package is answered again, and
     * no one holds more than GPULAB_MAX_OPEN_QUOTES at once (409): amounts are not hoarded. The
     * researcher's row is locked while deciding, so parallel asks cannot pass the cap together.
     */
    async quote(caller: LabCaller, packageId: string) {
      const pkg = await db('gpu_lab.packages').where({ id: packageId, active: true }).first();
      if (!pkg) throw new NotFound(`paket ${packageId}`);
      await db('gpu_lab.payments')
        .where({ status: 'quoted' })
        .where('quote_expires_at', '<', db.fn.now())
        .update({ status: 'expired', updated_at: db.fn.now() });
      const base = Number(pkg.price_idr) - (Number(pkg.price_idr) % 1000);
      const answer = (row: Payment) => ({
        paymentId: row.id,
        paketId: pkg.id,
        priceIdr: Number(pkg.price_idr),
        amountIdr: Number(row.amount_idr),
        uniqueCode: Number(row.amount_idr) - base,
        expiresAt: new Date(row.quote_expires_at).toISOString(),
      });
      return db.transaction(async (trx) => {
        await trx('gpu_lab.users').where({ id: caller.user.id }).forUpdate().first('id');
        const open: Payment[] = await trx('gpu_lab.payments')
          .where({ user_id: caller.user.id, status: 'quoted' })
          .where('quote_expires_at', '>', trx.fn.now())
          .orderBy('quote_expires_at');
        const same = open.find((p) => p.package_id === pkg.id);
        if (same) return answer(same);
        const max = deps.config.GPULAB_MAX_OPEN_QUOTES;
        if (open.length >= max)
          throw new Conflict(
            `you hold ${open.length} open quotes (at most ${max}): record a transfer for one, ` +
              `or ask again after ${new Date(open[0].quote_expires_at).toISOString()} when the first expires`,
          );
        for (let attempt = 0; attempt < 50; attempt++) {
          const code = randomInt(1, 1000);
          try {
            // A savepoint: an amount another open payment has fails only this insert.
            const quote = {
              id: newId('pay'),
              user_id: caller.user.id,
              package_id: pkg.id,
              amount_idr: base + code,
              status: 'quoted',
              quote_expires_at: new Date(Date.now() + QUOTE_MINUTES * 60_000),
            };
            const [row] = await trx.transaction((sp) => sp('gpu_lab.payments').insert(quote).returning('*'));
            return answer(row);
          } catch (err) {
            if (!isOpenAmountClash(err)) throw err;
          }
        }
        throw new Conflict('too many open payments for this price; try again shortly');
      });
    },

    /** The researcher records the transfer for their quote; the amount must be exactly the quoted one. */
    async record(
      caller: LabCaller,
      input: {
        paymentId: string;
        amountIdr: number;
        bankName: string;
        senderName: string;
        transferDate: string;
        proofUrl: string;
        containerName?: string;
      },
      ip: string,
    ) {
      return db.transaction(async (trx) => {
        const extending = input.containerName
          ? await trx('gpu_lab.containers')
              .where({ name: input.containerName, owner_id: caller.user.id })
              .first()
          : null;
        if (input.containerName && (!extending || ['failed', 'removing'].includes(extending.status)))
          throw new NotFound(`container ${input.containerName} of yours`);
        const p = await trx('gpu_lab.payments')
          .where({ id: input.paymentId, user_id: caller.user.id })
          .forUpdate()
          .first();
        if (!p) throw new NotFound(`payment ${input.paymentId}`);
        if (p.status !== 'quoted' || new Date(p.quote_expires_at) < new Date())
          throw new Conflict(
            `payment ${p.id} is ${p.status === 'quoted' ? 'expired' : p.status}; ask for a new price`,
          );
        if (Number(p.amount_idr) !== input.amountIdr)
          throw new Invalid(
            `amountIdr: does not match the generated price (${Number(p.amount_idr)})`,
            'amountIdr',
          );
        const [row] = await trx('gpu_lab.payments')
          .where({ id: p.id })
          .update({
            status: 'pending',
            bank_name: input.bankName,
            sender_name: input.senderName,
            transfer_date: input.transferDate,
            proof_url: input.proofUrl,
            extends_container_id: extending?.id ?? null,
            updated_at: trx.fn.now(),
          })
          .returning('*');
        await writeAudit(trx, 'gpu-lab', {
          actor: caller.user.email,
          action: 'payment.record',
          target: `payment:${p.id}`,
          ip,
          outcome: 'success',
        });
        return { payment: paymentView(row) };
      });
    },

    async mine(caller: LabCaller) {
      return {
        payments: (
          await db('gpu_lab.payments').where({ user_id: caller.user.id }).orderBy('created_at', 'desc')
        ).map(paymentView),
      };
    },

    async all(q: { status?: string; limit: number; offset: number }) {
      const base = db('gpu_lab.payments').modify((b) => q.status && b.where({ status: q.status }));
      const [rows, [{ n }]] = await Promise.all([
        base.clone().orderBy('created_at', 'desc').limit(q.limit).offset(q.offset),
        base.clone().count('* as n'),
      ]);
      return { payments: rows.map(paymentView), total: Number(n) };
    },

    /** Approve or reject a recorded transfer, once; a rejection says why. */
    async decide(
      caller: LabCaller,
      id: string,
      input: { status: 'approved' | 'rejected'; reason?: string },
      ip: string,
    ) {
      if (input.status === 'rejected' && !input.reason)
        throw new Invalid('reason: is required to reject', 'reason');
      return db.transaction(async (trx) => {
        const p = await trx('gpu_lab.payments').where({ id }).forUpdate().first();
        if (!p) throw new NotFound(`payment ${id}`);
        if (p.status !== 'pending')
          throw new Conflict(`payment ${id} is ${p.status}; only a pending payment can be decided`);
        const [decided] = await trx('gpu_lab.payments')
          .where({ id })
          .update({
            status: input.status,
            reject_reason: input.reason ?? null,
            decided_by: caller.user.id,
            decided_at: trx.fn.now(),
            updated_at: trx.fn.now(),
          })
          .returning('*');
        await writeAudit(trx, 'gpu-lab', {
          actor: caller.user.email,
          action: `payment.${input.status === 'approved' ? 'approve' : 'reject'}`,
          target: `payment:${id}`,
          ip,
          outcome: 'success',
        });
        const row = input.status === 'approved' && p.extends_container_id ? await extend(trx, p) : decided;
        return { payment: paymentView(row) };
      });
    },

    async remove(caller: LabCaller, id: string, ip: string) {
      const p = await db('gpu_lab.payments').where({ id }).first();
      if (!p) throw new NotFound(`payment ${id}`);
      if (p.status === 'approved')
        throw new Conflict('an approved payment is a record of money received; it is not deleted');
      await db('gpu_lab.payments').where({ id }).delete();
      await writeAudit(db, 'gpu-lab', {
        actor: caller.user.email,
        action: 'payment.delete',
        target: `payment:${id}`,
        ip,
        outcome: 'success',
      });
      return { deleted: id };
    },
  };
}
export type PaymentService = ReturnType<typeof createPaymentService>;
