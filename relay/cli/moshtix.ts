/** Moshtix subcommands: register the webhooks, backfill orders over GraphQL, import a CSV export. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { MOSHTIX_GRAPHQL_ENDPOINT } from '../../shared/moshtix.js';
import { readTicketCsv } from '../csv.js';
import { withStore } from '../index.js';
import { backfill } from '../moshtix/backfill.js';
import { MoshtixGraphqlClient } from '../moshtix/graphql.js';
import { subscribe } from '../moshtix/webhooks.js';
import {
  DB_FLAG,
  integerFlag,
  requireDatabase,
  requireString,
  stringFlag,
  UsageError,
  type Subcommand,
} from './command.js';

const TOKEN_FLAG = {
  name: 'moshtix-token',
  type: 'string',
  value: 'T',
  description: 'Moshtix API token (or MOSHTIX_TOKEN)',
} as const;
const CLIENT_FLAG = {
  name: 'client',
  type: 'number',
  value: 'ID',
  description: 'Moshtix client account id',
  isRequired: true,
} as const;
const ENDPOINT_FLAG = {
  name: 'endpoint',
  type: 'string',
  value: 'URL',
  description: `GraphQL endpoint (default ${MOSHTIX_GRAPHQL_ENDPOINT})`,
} as const;

function clientOf(args: Parameters<Subcommand['run']>[0]): MoshtixGraphqlClient {
  return new MoshtixGraphqlClient({ endpoint: stringFlag(args, 'endpoint') ?? MOSHTIX_GRAPHQL_ENDPOINT });
}

export const subscribeCommand: Subcommand = {
  spec: {
    usage: 'gatehouse relay subscribe',
    summary:
      'Register the relay with Moshtix for ORDER_SAVED and EVENT_SAVED (existing subscriptions are kept or updated, never duplicated).',
    flags: [
      TOKEN_FLAG,
      CLIENT_FLAG,
      {
        name: 'url',
        type: 'string',
        value: 'PUBLIC_URL',
        description: "The relay's public https URL (/webhooks/moshtix is appended)",
        isRequired: true,
      },
      {
        name: 'secret',
        type: 'string',
        value: 'S',
        description: 'Webhook secret, as given to relay serve (or GATEHOUSE_WEBHOOK_SECRET)',
      },
      ENDPOINT_FLAG,
    ],
  },
  async run(args) {
    const token = requireString(args, 'moshtix-token', 'MOSHTIX_TOKEN');
    const secret = requireString(args, 'secret', 'GATEHOUSE_WEBHOOK_SECRET');
    const clientId = integerFlag(args, 'client', 1) ?? 0;
    const publicUrl = requireString(args, 'url');
    try {
      new URL(publicUrl);
    } catch {
      throw new UsageError(`--url is not a URL: ${publicUrl}`);
    }
    const actions = await subscribe(clientOf(args), { token, clientId, publicUrl, secret });
    for (const action of actions) console.log(`${action.eventType}: ${action.action} (webhook ${action.id})`);
    return 0;
  },
};

export const backfillCommand: Subcommand = {
  spec: {
    usage: 'gatehouse relay backfill',
    summary:
      'Page orders out of the Moshtix GraphQL API into the relay database, through the same ingest path as webhooks.',
    flags: [
      TOKEN_FLAG,
      CLIENT_FLAG,
      DB_FLAG,
      {
        name: 'query-file',
        type: 'string',
        value: 'F',
        description: 'GraphQL query text to use instead of the default (2018 getOrders shape)',
      },
      ENDPOINT_FLAG,
      { name: 'page-size', type: 'number', value: 'N', description: 'Orders per page (default 100)' },
      {
        name: 'max-pages',
        type: 'number',
        value: 'N',
        description: 'Stop after this many pages (default 10000)',
      },
    ],
    notes: [
      'Writes straight into --db; a relay serving the same file streams the new entries to its gates within a second.',
      'A --query-file receives the variables $token, $pageIndex and $pageSize; the first connection',
      '(items, pageInfo { hasNextPage }) under viewer is read, each item being an order as ORDER_SAVED sends it.',
    ],
  },
  async run(args) {
    const token = requireString(args, 'moshtix-token', 'MOSHTIX_TOKEN');
    integerFlag(args, 'client', 1);
    const queryFile = stringFlag(args, 'query-file');
    let query: string | undefined;
    if (queryFile !== undefined) {
      try {
        query = readFileSync(queryFile, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read --query-file: ${(error as Error).message}`);
      }
    }
    const client = clientOf(args);
    const report = await withStore(requireDatabase(args), (store) =>
      backfill(client, store, {
        token,
        query,
        pageSize: integerFlag(args, 'page-size', 1),
        maxPages: integerFlag(args, 'max-pages', 1),
        onPage: (pageIndex, orders) => console.log(`page ${pageIndex}: ${orders} orders`),
      }),
    );
    console.log(
      `backfill: ${report.orders} orders in ${report.pages} pages; ${report.applied} changed tickets, ${report.unchanged} already known, ${report.quarantined.length} quarantined`,
    );
    for (const item of report.quarantined) console.log(`quarantined order ${item.contextId}: ${item.error}`);
    return report.quarantined.length > 0 ? 1 : 0;
  },
};

export const importCsvCommand: Subcommand = {
  spec: {
    usage: 'gatehouse relay import-csv',
    summary:
      "Import an event's tickets from a CSV export. All rows or none; webhook states always outrank imported ones.",
    flags: [
      DB_FLAG,
      {
        name: 'event',
        type: 'string',
        value: 'ID',
        description: 'Moshtix event id the tickets belong to',
        isRequired: true,
      },
    ],
    positionals: [
      {
        name: 'FILE.csv',
        description:
          'CSV with a header row; columns by name: barcode (required), valid or status, order id, ticket id, ticket type, first/last name or name, email',
        isRequired: true,
      },
    ],
  },
  async run(args) {
    const file = args.positionals[0] ?? '';
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      console.error(`cannot read ${file}: ${(error as Error).message}`);
      return 1;
    }
    const parsed = readTicketCsv(text);
    if (!parsed.ok) {
      console.error(`${file}: nothing imported, ${parsed.errors.length} bad row(s):`);
      for (const error of parsed.errors) console.error(`  ${error}`);
      return 1;
    }
    const eventId = requireString(args, 'event');
    const report = await withStore(requireDatabase(args), (store) =>
      store.importTickets(eventId, basename(file), parsed.rows),
    );
    console.log(
      `imported ${report.rows} rows for event ${eventId}: ${report.changed} ticket states changed, ${report.outranked} left alone (newer webhook state)`,
    );
    return 0;
  },
};
