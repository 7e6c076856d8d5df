/**
 * Registering the relay's webhooks with Moshtix: list what exists first (never register twice), then
 * save ORDER_SAVED and EVENT_SAVED subscriptions with the documented body template verbatim and the
 * secret header. A subscription that exists with a different secret, body or disabled is updated in
 * place (saved with its id).
 */
import { z } from 'zod';
import { WEBHOOK_BODY_TEMPLATE, WEBHOOK_SECRET_HEADER } from '../../shared/moshtix.js';
import type { MoshtixGraphqlClient } from './graphql.js';
import { GraphqlEnum, graphqlLiteral, type GraphqlValue } from './literal.js';

export const SUBSCRIBED_EVENT_TYPES = ['ORDER_SAVED', 'EVENT_SAVED'] as const;
const PAGE_SIZE = 50;
const MAX_PAGES = 40;

const webhookSchema = z.looseObject({
  id: z.union([z.number(), z.string()]),
  url: z.string().nullish(),
  enabled: z.boolean().nullish(),
  body: z.string().nullish(),
  headers: z
    .looseObject({
      items: z.array(z.looseObject({ name: z.string(), value: z.string().nullish() })).nullish(),
    })
    .nullish(),
  systemEventTypes: z
    .looseObject({ items: z.array(z.looseObject({ systemEventType: z.string() })).nullish() })
    .nullish(),
});
export type MoshtixWebhook = z.infer<typeof webhookSchema>;

const listSchema = z.looseObject({
  viewer: z.looseObject({
    getWebhooks: z.looseObject({
      items: z.array(webhookSchema).nullish(),
      pageInfo: z.looseObject({ hasNextPage: z.boolean().nullish() }).nullish(),
    }),
  }),
});
const saveSchema = z.looseObject({ viewer: z.looseObject({ saveWebhook: webhookSchema }) });

const WEBHOOK_FIELDS = `id client { id } url headers { items { id name value } } body systemEventTypes { items { id systemEventType } } enabled`;

/** The relay's webhook URL: a bare base URL gets the route appended. */
export function webhookUrl(publicUrl: string): string {
  const url = new URL(publicUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`--url must be http(s), got ${url.protocol}`);
  if (!url.pathname.endsWith('/webhooks/moshtix'))
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/webhooks/moshtix`;
  return url.toString();
}

export async function listWebhooks(
  client: MoshtixGraphqlClient,
  token: string,
  clientId: number,
): Promise<MoshtixWebhook[]> {
  const all: MoshtixWebhook[] = [];
  for (let pageIndex = 0; pageIndex < MAX_PAGES; pageIndex += 1) {
    const query = `query { viewer(token: ${graphqlLiteral(token)}) { getWebhooks(clientId: ${clientId}, pageIndex: ${pageIndex}, pageSize: ${PAGE_SIZE}) { items { ${WEBHOOK_FIELDS} } pageInfo { hasNextPage pageIndex pageSize } totalCount } } }`;
    const page = listSchema.parse(await client.request(query)).viewer.getWebhooks;
    all.push(...(page.items ?? []));
    if (!page.pageInfo?.hasNextPage || (page.items ?? []).length === 0) break;
  }
  return all;
}

export function headerValue(webhook: MoshtixWebhook, name: string): string | null {
  const header = webhook.headers?.items?.find((item) => item.name.toLowerCase() === name.toLowerCase());
  return header?.value ?? null;
}

export function eventTypesOf(webhook: MoshtixWebhook): string[] {
  return (webhook.systemEventTypes?.items ?? []).map((item) => item.systemEventType);
}

export interface SubscribeOptions {
  token: string;
  clientId: number;
  publicUrl: string;
  secret: string;
}

export type SubscribeAction = { eventType: string; action: 'kept' | 'updated' | 'created'; id: string };

export async function subscribe(
  client: MoshtixGraphqlClient,
  options: SubscribeOptions,
): Promise<SubscribeAction[]> {
  const url = webhookUrl(options.publicUrl);
  const existing = await listWebhooks(client, options.token, options.clientId);
  const actions: SubscribeAction[] = [];
  for (const eventType of SUBSCRIBED_EVENT_TYPES) {
    const match = existing.find(
      (webhook) => webhook.url === url && eventTypesOf(webhook).includes(eventType),
    );
    const isCurrent =
      match !== undefined &&
      match.enabled === true &&
      match.body === WEBHOOK_BODY_TEMPLATE &&
      headerValue(match, WEBHOOK_SECRET_HEADER) === options.secret &&
      eventTypesOf(match).length === 1;
    if (match && isCurrent) {
      actions.push({ eventType, action: 'kept', id: String(match.id) });
      continue;
    }
    const webhook: Record<string, GraphqlValue> = {
      client: { id: options.clientId },
      url,
      headers: {
        items: [
          { name: 'Content-Type', value: 'application/json' },
          { name: WEBHOOK_SECRET_HEADER, value: options.secret },
        ],
      },
      body: WEBHOOK_BODY_TEMPLATE,
      systemEventTypes: { items: [{ systemEventType: new GraphqlEnum(eventType) }] },
      enabled: true,
    };
    if (match) webhook.id = typeof match.id === 'number' ? match.id : String(match.id);
    const mutation = `mutation { viewer(token: ${graphqlLiteral(options.token)}) { saveWebhook(webhook: ${graphqlLiteral(webhook)}) { ${WEBHOOK_FIELDS} } } }`;
    const saved = saveSchema.parse(await client.request(mutation)).viewer.saveWebhook;
    actions.push({ eventType, action: match ? 'updated' : 'created', id: String(saved.id) });
  }
  return actions;
}
