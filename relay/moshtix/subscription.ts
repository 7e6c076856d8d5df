/**
 * Is Moshtix still sending this relay its orders? The relay's ORDER_SAVED subscription counts as
 * enabled only when it exists, is enabled, and sends the secret this relay accepts: a subscription
 * with an old secret delivers nothing but 401s. Anything else is "disabled", with the reason logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_SECRET_HEADER } from '../../shared/moshtix.js';
import type { MoshtixGraphqlClient } from './graphql.js';
import { eventTypesOf, headerValue, listWebhooks } from './webhooks.js';

export type SubscriptionStatus = 'enabled' | 'disabled' | 'unknown';

export interface SubscriptionCheck {
  status: 'enabled' | 'disabled';
  /** Why, in words for the log. */
  reason: string;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

function pathOf(url: string | null | undefined): string {
  try {
    return new URL(url ?? '').pathname;
  } catch {
    return '';
  }
}

export async function checkSubscription(
  client: MoshtixGraphqlClient,
  options: { token: string; clientId: number; webhookSecret: string },
): Promise<SubscriptionCheck> {
  const webhooks = await listWebhooks(client, options.token, options.clientId);
  const ours = webhooks.filter(
    (webhook) =>
      eventTypesOf(webhook).includes('ORDER_SAVED') && pathOf(webhook.url).endsWith('/webhooks/moshtix'),
  );
  if (ours.length === 0)
    return { status: 'disabled', reason: 'no ORDER_SAVED subscription to a …/webhooks/moshtix URL' };
  const enabled = ours.filter((webhook) => webhook.enabled === true);
  if (enabled.length === 0) return { status: 'disabled', reason: 'the ORDER_SAVED subscription is disabled' };
  const expected = digest(options.webhookSecret);
  const sending = enabled.find((webhook) => {
    const value = headerValue(webhook, WEBHOOK_SECRET_HEADER);
    return value !== null && timingSafeEqual(digest(value), expected);
  });
  if (!sending)
    return {
      status: 'disabled',
      reason: `the enabled ORDER_SAVED subscription does not send this relay's ${WEBHOOK_SECRET_HEADER}`,
    };
  return {
    status: 'enabled',
    reason: `webhook ${String(sending.id)} is enabled and sends this relay's secret`,
  };
}
