/**
 * `gatehouse gate report --data DIR [--event ID] [--format json|csv]`: the night report from a gate's
 * database, with the gate stopped (or running: the gate holds its folder's lock, and the report then
 * opens the database read-only beside it, leaving the decision journal to the gate). Prints the same
 * figures as `POST /api/report` to stdout.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatHelp, parseCommandLine, type CommandSpec } from '../../../shared/cli.js';
import { reportToCsv } from '../../../shared/report.js';
import { DATABASE_FILE } from '../index.js';
import { nightReport } from '../report.js';
import { loadSettings } from '../settings.js';
import { tryLockGateFolder, type FolderLock } from '../store/folder-lock.js';
import { GateStore, openToRead, type GateDatabaseReader } from '../store/index.js';

export const REPORT_COMMAND: CommandSpec = {
  usage: 'gatehouse gate report',
  summary: "The night report from a gate's database: admissions, denials by reason, gates, ticket types.",
  flags: [
    {
      name: 'data',
      type: 'string',
      value: 'DIR',
      description: "The gate's data directory",
      isRequired: true,
    },
    {
      name: 'event',
      type: 'string',
      value: 'ID',
      description: 'Only this event (default: the events the gate admits for)',
    },
    { name: 'format', type: 'string', value: 'json|csv', description: 'Output format (default json)' },
  ],
};

export function main(argv: string[]): number {
  const outcome = parseCommandLine(REPORT_COMMAND, argv);
  if (outcome.kind === 'help') {
    console.log(formatHelp(REPORT_COMMAND));
    return 0;
  }
  if (outcome.kind === 'error') {
    console.error(`gatehouse gate report: ${outcome.message}`);
    return 2;
  }
  const { data, event, format = 'json' } = outcome.args.flags;
  if (format !== 'json' && format !== 'csv') {
    console.error(`gatehouse gate report: --format must be json or csv, got "${String(format)}"`);
    return 2;
  }
  const path = join(String(data), DATABASE_FILE);
  if (!existsSync(path)) {
    console.error(`gatehouse gate report: no gate database in ${String(data)} (looked for ${DATABASE_FILE})`);
    return 1;
  }
  // A running gate holds its folder's lock: then the report only reads, beside it.
  let lock: FolderLock | null = null;
  let store: GateDatabaseReader;
  try {
    lock = tryLockGateFolder(String(data));
    store = lock ? new GateStore(path) : openToRead(path);
  } catch (error) {
    lock?.release();
    console.error(`gatehouse gate report: cannot open ${path}: ${(error as Error).message}`);
    return 1;
  }
  try {
    const report = nightReport(store, {
      ...(typeof event === 'string' ? { eventId: event } : {}),
      gateEvents: loadSettings(store.state).events,
    });
    process.stdout.write(format === 'csv' ? reportToCsv(report) : `${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } finally {
    store.close();
    lock?.release();
  }
}
