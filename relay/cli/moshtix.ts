/** Moshtix subcommands: register the webhooks, backfill orders over GraphQL, import a CSV export. */
import { createReadStream, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { MOSHTIX_GRAPHQL_ENDPOINT } from '../../shared/moshtix.js';
import { readTicketCsv } from '../csv.js';
import { withStore } from '../index.js';
import { backfill } from '../moshtix/backfill.js';
import { MoshtixGraphqlClient } from '../moshtix/graphql.js';
import { subscribe } from '../moshtix/webhooks.js';
import type { ParsedArgs } from '../../shared/cli.js';
import {
  DB_FLAG,
  integerFlag,
  requireDatabase,
  requireString,
  stringFlag,
  UsageError,
  type Subcommand,
} from './command.js';
import { moshtixTokenOf, TOKEN_ENV, TOKEN_FILE_FLAG } from './moshtix-token.js';

const TOKEN_FLAGS = [
  TOKEN_FILE_FLAG,
  {
    name: 'moshtix-token',
    type: 'string',
    value: 'T',
    description: 'Moshtix API token on the command line (visible to ps: prefer the file or MOSHTIX_TOKEN)',
  },
] as const;

function readToken(args: ParsedArgs): string {
  const token = moshtixTokenOf(args, 'moshtix-token');
  if (token === undefined)
    throw new UsageError(`missing --${TOKEN_FILE_FLAG.name} (or ${TOKEN_ENV} in the environment)`);
  return token;
}
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

function readQueryFile(args: ParsedArgs, flag: string): string | undefined {
  const file = stringFlag(args, flag);
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --${flag}: ${(error as Error).message}`);
  }
}

function clientOf(args: ParsedArgs): MoshtixGraphqlClient {
  return new MoshtixGraphqlClient({ endpoint: stringFlag(args, 'endpoint') ?? MOSHTIX_GRAPHQL_ENDPOINT });
}

export const subscribeCommand: Subcommand = {
  spec: {
    usage: 'gatehouse relay subscribe',
    summary:
      'Register the relay with Moshtix for ORDER_SAVED and EVENT_SAVED (existing subscriptions are kept or updated, never duplicated).',
    flags: [
      ...TOKEN_FLAGS,
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
      {
        ...DB_FLAG,
        isRequired: false,
        description:
          "The relay's database (file or postgres:// URL): opened first, so Moshtix is never pointed at a relay whose store is missing or unreachable",
      },
    ],
  },
  async run(args) {
    const token = readToken(args);
    const secret = requireString(args, 'secret', 'GATEHOUSE_WEBHOOK_SECRET');
    // Checked before Moshtix is told to send here: a typo'd or unreachable database fails now.
    const stats =
      stringFlag(args, 'db') === undefined
        ? null
        : await withStore(requireDatabase(args), (store) => store.stats());
    const clientId = integerFlag(args, 'client', 1) ?? 0;
    const publicUrl = requireString(args, 'url');
    try {
      new URL(publicUrl);
    } catch {
      throw new UsageError(`--url is not a URL: ${publicUrl}`);
    }
    const actions = await subscribe(clientOf(args), { token, clientId, publicUrl, secret });
    for (const action of actions) console.log(`${action.eventType}: ${action.action} (webhook ${action.id})`);
    if (stats)
      console.log(
        `relay database: ${stats.deliveries} deliveries so far, the last at ${stats.lastDeliveryAt ?? 'never'}`,
      );
    return 0;
  },
};

export const backfillCommand: Subcommand = {
  spec: {
    usage: 'gatehouse relay backfill',
    summary:
      'Page orders out of the Moshtix GraphQL API into the relay database, through the same ingest path as webhooks.',
    flags: [
      ...TOKEN_FLAGS,
      CLIENT_FLAG,
      DB_FLAG,
      {
        name: 'event',
        type: 'string',
        value: 'ID',
        description: 'Only orders of this Moshtix event (repeatable; default every event)',
        isRepeatable: true,
      },
      {
        name: 'query-file',
        type: 'string',
        value: 'F',
        description: 'GraphQL text for the pages of orders instead of the default (2018 getOrders shape)',
      },
      {
        name: 'order-query-file',
        type: 'string',
        value: 'F',
        description:
          "GraphQL text for one order's further ticket pages instead of the default (2018 getOrder shape)",
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
      'The orders query receives $token, $pageIndex, $pageSize, $ticketPageSize (and $eventIds with --event); the first',
      'connection (items, pageInfo { hasNextPage }) under viewer is read, each item being an order as ORDER_SAVED sends it.',
      "An order's tickets count as complete only when its tickets list says so (pageInfo.hasNextPage false or totalCount);",
      'a list cut short is completed with the order query ($token, $orderId, $pageIndex, $pageSize); a list that does not',
      'say is applied ticket by ticket, revoking none it does not list.',
    ],
  },
  async run(args) {
    const token = readToken(args);
    integerFlag(args, 'client', 1);
    const client = clientOf(args);
    const events = args.flags.event;
    const report = await withStore(requireDatabase(args), (store) =>
      backfill(client, store, {
        token,
        query: readQueryFile(args, 'query-file'),
        orderQuery: readQueryFile(args, 'order-query-file'),
        pageSize: integerFlag(args, 'page-size', 1),
        maxPages: integerFlag(args, 'max-pages', 1),
        events: Array.isArray(events) ? events.map(String) : undefined,
        onPage: (pageIndex, orders) => console.log(`page ${pageIndex}: ${orders} orders`),
      }),
    );
    const skipped = report.skipped > 0 ? `; ${report.skipped} orders of other events skipped` : '';
    console.log(
      `backfill: ${report.orders} orders in ${report.pages} pages; ${report.applied} changed tickets, ${report.unchanged} already known, ${report.quarantined.length} quarantined${skipped}`,
    );
    if (report.partial > 0)
      console.log(
        `${report.partial} orders with ticket lists not known complete: their ${report.partialTickets} listed tickets applied one by one (${report.partialChanged} states changed), none revoked for being absent${report.unreadableTickets > 0 ? `; ${report.unreadableTickets} tickets without a usable barcode skipped` : ''}`,
      );
    for (const item of report.quarantined) console.log(`quarantined order ${item.contextId}: ${item.error}`);
    return report.quarantined.length > 0 ? 1 : 0;
  },
};

export const importCsvCommand: Subcommand = {
  spec: {
    usage: 'gatehouse relay import-csv',
    summary:
      "Import an event's tickets from a CSV export. All rows or none; webhook states outrank imported ones unless --authoritative.",
    flags: [
      DB_FLAG,
      {
        name: 'event',
        type: 'string',
        value: 'ID',
        description: 'Moshtix event id the tickets belong to',
        isRequired: true,
      },
      {
        name: 'authoritative',
        type: 'boolean',
        description:
          'The export is the truth now: recorded as the newest version (source csv), it can revoke tickets webhooks called valid',
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
    const eventId = requireString(args, 'event');
    let parsed;
    try {
      parsed = await readTicketCsv(createReadStream(file));
    } catch (error) {
      console.error(`cannot read ${file}: ${(error as Error).message}`);
      return 1;
    }
    if (!parsed.ok) {
      console.error(`${file}: nothing imported, ${parsed.errorCount} bad row(s):`);
      for (const error of parsed.errors) console.error(`  ${error}`);
      const unlisted = parsed.errorCount - parsed.errors.length;
      if (unlisted > 0) console.error(`  … and ${unlisted} more`);
      return 1;
    }
    const isAuthoritative = args.flags.authoritative === true;
    const report = await withStore(requireDatabase(args), (store) =>
      store.importTickets(eventId, basename(file), parsed.rows, { isAuthoritative }),
    );
    console.log(
      `imported ${report.rows} rows for event ${eventId}${isAuthoritative ? ' (authoritative)' : ''}: ${report.changed} ticket states changed, ${report.outranked} left alone (newer webhook state)`,
    );
    return 0;
  },
};
