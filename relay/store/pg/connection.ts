/**
 * Connections to the relay's PostgreSQL database: a pool whose bigint columns read as numbers (log
 * seqs and ids stay far below 2^53), and `Tx`, the one way store code runs a statement. Every value is
 * bound as a parameter; no SQL is ever built from data.
 */
import pg from 'pg';

const INT8_OID = 20;

/** bigint → number: seqs and ids are counters that never approach 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The URL without its password, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

export function createPool(url: string, max: number): pg.Pool {
  return new pg.Pool({ connectionString: url, max, types, application_name: 'gatehouse-relay' });
}

export function createClient(url: string): pg.Client {
  return new pg.Client({ connectionString: url, types, application_name: 'gatehouse-relay-listen' });
}

type Queryable = Pick<pg.PoolClient, 'query'>;

/** A connection (usually inside a transaction) with typed helpers; values always bound. */
export class Tx {
  constructor(readonly client: Queryable) {}

  async rows<Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<Row[]> {
    return (await this.client.query<Row>(sql, values)).rows;
  }

  async one<Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<Row | undefined> {
    return (await this.client.query<Row>(sql, values)).rows[0];
  }

  /** Runs a statement; the number of rows it touched. */
  async run(sql: string, values: unknown[] = []): Promise<number> {
    return (await this.client.query(sql, values)).rowCount ?? 0;
  }
}
