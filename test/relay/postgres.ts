// Tests share the throwaway PostgreSQL helper with the benchmarks (bench/ is compiled; test/ is not).
export { freePort, startPostgres, type TestPostgres } from '../../bench/postgres.js';
