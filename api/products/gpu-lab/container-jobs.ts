import type { Knex } from 'knex';
import { UniqueViolationError } from 'objection';
import { CONTAINER_NAME } from '../../../adapters/containers';
import type { Config } from '../../../core/config';
import { generatePassword } from '../../../core/crypto';
import type { Logger } from '../../../core/logger';
import { Conflict, Invalid, NotFound } from '../../../core/errors';
import { createJob, recordJobStart, startJobWorkflow } from '../../../core/jobs';
import { dispatchStart, type RecordedStart } from '../../../core/workflow-starts';
import { newId } from '../../../core/ids';
import { createSecretBox } from '../../../core/secret-box';
import { CONTROL_QUEUE, hostQueue, type Temporal } from '../../../core/temporal';
import type { ContainerAction, LabContainerInput } from '../../../types/gpu-lab';
import { writeAudit } from '../../http/audit';
import type { LabCaller } from './auth';
import { gpuCandidates } from './gpus';
import { createCapacityKeeper } from './host-capacity';
import { createPortChecker } from './host-ports';
import type { HostReader } from './host-read';
import type { LabJobService } from './jobs';
import { leaseEnd, recordLeasePayment } from './leases';
import { LabUser } from './models';
import { reserve, withReservationRetry } from './reservations';

import { containerRows, view, type Row } from './container-rows';

/**
 * What changes a container: create, the actions (stop/start/restart, reset, change-password) and
 * delete. Each records its job (and audit row) with the rows and starts the container workflow on
 * the owning host's queue.
 */
export function createContainerJobs(deps: {
  db: Knex;
  config: Config;
  temporal: Temporal;
  readFromHost: HostReader;
  jobs: LabJobService;
  logger?: Logger;
}) {
  const { db, config, temporal } = deps;
  const refreshCapacity = createCapacityKeeper(deps);
  const checkPorts = createPortChecker(deps);
  const secrets = createSecretBox(config.DERMAGA_SECRET_KEY);
  const hosts = config.GPULAB_HOSTS ?? [config.HOST_ID];
  const { visible, devicesOf } = containerRows(db);

  /** Everything a container workflow needs, from the row (the SSH password only when one is being set). */
  const inputOf = async (
    c: Row,
    jobId: string,
    sshPassword = '',
    q: Knex = db,
  ): Promise<LabContainerInput> => ({
    containerId: c.id,
    jobId,
    name: c.name,
    image: c.image,
    cmd: c.cmd ?? undefined,
    cpus: Number(c.cpus),
    memoryMb: c.memory_mb,
    gpus: await devicesOf(c.id, q),
    sshPort: c.ssh_port,
    jupyterPort: c.jupyter_port,
    workspace: c.workspace,
    sshUser: config.GPULAB_SSH_USER,
    sealedSshPassword: secrets.seal(sshPassword),
    sealedJupyterToken: c.jupyter_token_sealed,
    hostQueue: hostQueue(c.host_id),
  });

  async function startAction(
    caller: LabCaller,
    c: Row,
    kind: ContainerAction['kind'],
    ip: string,
    extra: { sshPassword?: string; wipeWorkspace?: boolean } = {},
  ) {
    const job = await db.transaction(async (trx) => {
      const job = await createJob(trx, {
        product: 'gpu-lab',
        type: `container.${kind}`,
        target: { type: 'container', id: c.id },
        workflowId: `gpu-lab-container-${c.id}-${kind}-${newId('run')}`,
        actor: caller.user.email,
      });
      await writeAudit(trx, 'gpu-lab', {
        actor: caller.user.email,
        action: `container.${kind}`,
        target: `container:${c.id}`,
        ip,
        outcome: 'success',
      });
      // The container's jobId is its latest job, whatever it does.
      await trx('gpu_lab.containers').where({ id: c.id }).update({ job_id: job.id });
      // The new SSH password travels (and is recorded) sealed only.
      const input = await inputOf(c, job.id, extra.sshPassword, trx);
      const action: ContainerAction =
        kind === 'reset'
          ? { kind, wipeWorkspace: extra.wipeWorkspace ?? false, sealedSshPassword: input.sealedSshPassword }
          : kind === 'change-password'
            ? { kind, sealedSshPassword: input.sealedSshPassword }
            : { kind };
      await recordJobStart(trx, job, {
        workflowType: 'containerAction',
        taskQueue: CONTROL_QUEUE,
        args: [input, action],
        owner: c.owner_id,
      });
      return job;
    });
    await startJobWorkflow(
      db,
      temporal,
      job,
      `the ${kind} of ${c.name} is recorded (job ${job.id}) and starts once Temporal answers; do not repeat it`,
    );
    return job.id;
  }

  /** An approved payment not yet spent on a container, with its package. */
  async function paidFor(paymentId: string) {
    const payment = await db('gpu_lab.payments').where({ id: paymentId }).first();
    if (!payment) throw new NotFound(`payment ${paymentId}`);
    if (payment.status !== 'approved')
      throw new Conflict(`paymentId: payment ${paymentId} is ${payment.status}, not approved`, 'paymentId');
    if (payment.container_id)
      throw new Conflict('paymentId: this payment already paid for a container', 'paymentId');
    if (payment.lease_extended_at)
      throw new Conflict("paymentId: this payment extended a container's lease", 'paymentId');
    if (payment.extends_container_id)
      throw new Conflict('paymentId: this payment is for extending a container, not a new one', 'paymentId');
    return { payment, pkg: await db('gpu_lab.packages').where({ id: payment.package_id }).first() };
  }

  return {
    /** Reserves a host's ports (and GPUs) and starts createContainer; the SSH password is in this answer only. */
    async create(
      caller: LabCaller,
      input: {
        paymentId?: string;
        userId?: string;
        image: string;
        name?: string;
        cpus?: number;
        memoryMb?: number;
        gpuCount?: number;
        gpuKind?: string;
      },
      ip: string,
    ) {
      if (!config.GPULAB_IMAGES.includes(input.image))
        throw new Invalid(
          `image: ${input.image} is not an approved image (GET /docker/search lists them)`,
          'image',
        );
      const paid = input.paymentId ? await paidFor(input.paymentId) : null;
      const owner = await LabUser.query(db).findById(paid?.payment.user_id ?? input.userId ?? '');
      if (!owner) throw new NotFound(`user ${input.userId}`);
      const spec = paid
        ? {
            cpus: Number(paid.pkg.cpus),
            memoryMb: paid.pkg.memory_gb * 1024,
            gpuCount: paid.pkg.gpu_count as number,
            gpuKind: paid.pkg.gpu_kind as string,
          }
        : {
            cpus: input.cpus as number,
            memoryMb: input.memoryMb as number,
            gpuCount: input.gpuCount ?? 0,
            gpuKind: input.gpuKind,
          };
      const name = input.name ?? `lab-${owner.id.slice(-8)}-${newId('c').slice(-6)}`;
      if (!CONTAINER_NAME.test(name))
        throw new Invalid('name: letters, digits, _ . - (not first), at most 128', 'name');
      const containerId = newId('ctr');
      const sshPassword = generatePassword();
      const jupyterToken = generatePassword() + generatePassword();
      const [, portsInUse] = await Promise.all([refreshCapacity(hosts), checkPorts(hosts)]);
      const { job, row, devices, lease } = await withReservationRetry(db, async (trx) => {
        await trx('gpu_lab.containers').insert({
          id: containerId,
          name,
          owner_id: owner.id,
          host_id: hosts[0],
          image: input.image,
          cpus: spec.cpus,
          memory_mb: spec.memoryMb,
          workspace: `${name}-workspace`,
          ssh_port: 0,
          jupyter_port: 0,
          jupyter_token_sealed: secrets.seal(jupyterToken),
          status: 'creating',
          cmd: config.GPULAB_CONTAINER_CMD ? JSON.stringify(config.GPULAB_CONTAINER_CMD) : null,
        });
        if (paid) {
          // The payment is spent on this container; a second create with it is refused.
          const claimed = await trx('gpu_lab.payments')
            .where({ id: paid.payment.id, status: 'approved' })
            .whereNull('container_id')
            .update({ container_id: containerId });
          if (!claimed)
            throw new Conflict('paymentId: this payment already paid for a container', 'paymentId');
        }
        const candidates = await gpuCandidates(trx, hosts, spec.gpuCount ? spec.gpuKind : undefined);
        const r = await reserve(trx, {
          containerId,
          gpuCount: spec.gpuCount,
          cpus: spec.cpus,
          memoryMb: spec.memoryMb,
          candidates,
          ports: config.GPULAB_PORT_RANGE,
          portsInUse,
        });
        const job = await createJob(trx, {
          product: 'gpu-lab',
          type: 'container.create',
          target: { type: 'container', id: containerId },
          workflowId: `gpu-lab-container-${containerId}-create`,
          actor: caller.user.email,
        });
        const [row] = await trx('gpu_lab.containers')
          .where({ id: containerId })
          .update({ host_id: r.hostId, ssh_port: r.sshPort, jupyter_port: r.jupyterPort, job_id: job.id })
          .returning('*');
        // Recorded with the rows (the SSH password sealed): started below, or by the reconciler.
        await recordJobStart(trx, job, {
          workflowType: 'createContainer',
          taskQueue: CONTROL_QUEUE,
          args: [await inputOf(row, job.id, sshPassword, trx)],
          owner: row.owner_id,
        });
        const lease = paid
          ? await recordLeasePayment(trx, config, row, leaseEnd(null, paid.pkg.duration_days))
          : null;
        await writeAudit(trx, 'gpu-lab', {
          actor: caller.user.email,
          action: 'container.create',
          target: `container:${containerId}`,
          ip,
          outcome: 'success',
          detail: { name, user: owner.id, image: input.image, payment: paid?.payment.id },
        });
        return { job, row, devices: r.devices, lease };
      }).catch((err) => {
        throw err instanceof UniqueViolationError ||
          (err as { constraint?: string }).constraint === 'containers_name_unique'
          ? new Conflict(`name: a container named ${name} exists`, 'name')
          : err;
      });
      const recorded = `container ${name} is recorded (creating, job ${job.id}) and is created once Temporal answers; do not create it again. Its SSH password is not in this answer: set one with change-password once it runs`;
      await startJobWorkflow(db, temporal, job, recorded);
      if (lease) await dispatchStart(db, temporal, lease as RecordedStart, 'container.lease', recorded);
      return {
        container: view(row, devices),
        jobId: job.id,
        ssh: {
          host: config.GPULAB_PUBLIC_HOST,
          port: row.ssh_port,
          username: config.GPULAB_SSH_USER,
          password: sshPassword,
        },
      };
    },

    async action(caller: LabCaller, name: string, kind: 'stop' | 'start' | 'restart', ip: string) {
      const c = await visible(caller, name);
      return { jobId: await startAction(caller, c, kind, ip) };
    },

    /** A new SSH password goes into the container; the answer is the only place it is shown. */
    async reset(caller: LabCaller, name: string, input: { wipeWorkspace: boolean }, ip: string) {
      const c = await visible(caller, name);
      const sshPassword = generatePassword();
      return {
        jobId: await startAction(caller, c, 'reset', ip, { sshPassword, wipeWorkspace: input.wipeWorkspace }),
        ssh: { username: config.GPULAB_SSH_USER, password: sshPassword },
      };
    },

    async changePassword(caller: LabCaller, name: string, input: { password: string }, ip: string) {
      const c = await visible(caller, name);
      return { jobId: await startAction(caller, c, 'change-password', ip, { sshPassword: input.password }) };
    },

    async remove(caller: LabCaller, name: string, ip: string) {
      const c = await visible(caller, name);
      const job = await db.transaction(async (trx) => {
        const job = await createJob(trx, {
          product: 'gpu-lab',
          type: 'container.delete',
          target: { type: 'container', id: c.id },
          workflowId: `gpu-lab-container-${c.id}-delete`,
          actor: caller.user.email,
        });
        await trx('gpu_lab.containers')
          .where({ id: c.id })
          .update({ status: 'removing', job_id: job.id, updated_at: trx.fn.now() });
        await recordJobStart(trx, job, {
          workflowType: 'deleteContainer',
          taskQueue: CONTROL_QUEUE,
          args: [
            {
              containerId: c.id,
              jobId: job.id,
              name: c.name,
              workspace: c.workspace,
              keepWorkspace: false,
              hostQueue: hostQueue(c.host_id),
            },
          ],
          owner: c.owner_id,
        });
        await writeAudit(trx, 'gpu-lab', {
          actor: caller.user.email,
          action: 'container.delete',
          target: `container:${c.id}`,
          ip,
          outcome: 'success',
        });
        return job;
      });
      // Its lease has nothing left to time: end it (there may be none, for an unpaid container).
      await temporal
        .call((client) => client.workflow.getHandle(`gpu-lab-lease-${c.id}`).terminate('container deleted'))
        .catch(() => undefined);
      await startJobWorkflow(
        db,
        temporal,
        job,
        `the delete of ${c.name} is recorded (removing, job ${job.id}) and starts once Temporal answers`,
      );
      return { jobId: job.id };
    },
  };
}
