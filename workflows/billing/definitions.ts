import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { LiveStatus, Period } from '../../activities/billing/subscription-records';

// The billing workflows' signals and updates: here, apart from the workflow code, so the API sends
// them through these typed definitions (a changed name or argument fails its typecheck) without
// loading a workflow. Only @temporalio/workflow's define* (plain objects) run outside a workflow.

export const checkoutCompletedSignal =
  defineSignal<[{ paymentMethodId: string | null }]>('checkoutCompleted');
export const cancelUpdate = defineUpdate<
  { canceled_at: string | null; cancel_at_period_end: boolean },
  [{ immediately: boolean; reason?: string }]
>('cancel');
export const reactivateUpdate = defineUpdate<
  { canceled_at: string | null; cancel_at_period_end: boolean },
  []
>('reactivate');
export const changePlanUpdate = defineUpdate<
  { invoiceId: string | null; creditCents: number; collect: boolean },
  [{ planId: string; prorate: boolean }]
>('changePlan');
export const paymentMethodUpdate = defineUpdate<void, [{ paymentMethodId: string }]>('paymentMethod');
export const adminOverrideUpdate = defineUpdate<
  Period,
  [{ planId?: string; status?: LiveStatus; extendTrialDays?: number }]
>('adminOverride');

export const invoicePaidSignal = defineSignal<[{ invoiceId: string }]>('invoicePaid');
export const invoiceFailedSignal = defineSignal<[{ invoiceId: string; reason: string }]>('invoiceFailed');
/** From an invoice's collection to its subscription's workflow: dunning ended the subscription. */
export const subscriptionEndedSignal = defineSignal<[{ status: LiveStatus }]>('subscriptionEnded');
