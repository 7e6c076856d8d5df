/**
 * `npm run fuzz [-- --cases N] [--seed S] [--target NAME ...]`: runs the seeded, bounded fuzzers
 * over real gate and relay processes, prints one table (cases, findings, crashes, hangs, time) and
 * saves failing cases to fuzz/regressions.json. Exits 1 when anything failed. By default 100,000
 * cases: 40% gate API, 20% each of gate frames, relay frames and webhook bodies.
 */
import { formatHelp, parseCommandLine, type CommandSpec } from '../shared/cli.js';
import { saveRegressions } from './regressions.js';
import { runTarget, TARGET_NAMES, type TargetName, type TargetReport } from './run.js';
import { TARGETS } from './targets/index.js';

const SHARE: Record<TargetName, number> = {
  'gate-api': 0.4,
  'gate-frames': 0.2,
  'relay-frames': 0.2,
  webhooks: 0.2,
};

export const FUZZ_COMMAND: CommandSpec = {
  usage: 'npm run fuzz --',
  summary:
    'Seeded, bounded fuzzing of the gate API, relay/gate frames and webhook bodies, against real processes.',
  flags: [
    {
      name: 'cases',
      type: 'number',
      value: 'N',
      description: 'Cases in all (default 100000), shared among the targets',
    },
    {
      name: 'seed',
      type: 'string',
      value: 'S',
      description: 'Seed (default: the date, so each day explores anew)',
    },
    {
      name: 'target',
      type: 'string',
      value: 'NAME',
      description: `Only these targets: ${TARGET_NAMES.join(', ')}`,
      isRepeatable: true,
    },
  ],
};

function printTable(reports: readonly TargetReport[]): void {
  const rows = reports.map((report) => [
    report.target,
    report.seed,
    String(report.cases),
    String(report.findings.length),
    String(report.crashes),
    String(report.hangs),
    report.seconds.toFixed(1),
  ]);
  const total = reports.reduce(
    (sum, report) => ({
      cases: sum.cases + report.cases,
      findings: sum.findings + report.findings.length,
      crashes: sum.crashes + report.crashes,
      hangs: sum.hangs + report.hangs,
      seconds: sum.seconds + report.seconds,
    }),
    { cases: 0, findings: 0, crashes: 0, hangs: 0, seconds: 0 },
  );
  rows.push([
    'total',
    '',
    String(total.cases),
    String(total.findings),
    String(total.crashes),
    String(total.hangs),
    total.seconds.toFixed(1),
  ]);
  const header = ['target', 'seed', 'cases', 'findings', 'crashes', 'hangs', 'seconds'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const render = (line: string[]) => line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  console.log(render(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(render(row));
}

export async function main(argv: string[]): Promise<number> {
  const outcome = parseCommandLine(FUZZ_COMMAND, argv);
  if (outcome.kind === 'help') {
    console.log(formatHelp(FUZZ_COMMAND));
    return 0;
  }
  if (outcome.kind === 'error') {
    console.error(`fuzz: ${outcome.message}`);
    return 2;
  }
  const flags = outcome.args.flags;
  const cases = typeof flags.cases === 'number' ? flags.cases : 100_000;
  const seed = typeof flags.seed === 'string' ? flags.seed : new Date().toISOString().slice(0, 10);
  const chosen = Array.isArray(flags.target) ? flags.target.map(String) : [...TARGET_NAMES];
  const unknown = chosen.filter((name) => !(TARGET_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0 || !Number.isInteger(cases) || cases < 1) {
    console.error(
      `fuzz: ${unknown.length ? `unknown target ${unknown.join(', ')}` : '--cases must be a whole number ≥ 1'}`,
    );
    return 2;
  }
  const names = chosen as TargetName[];
  const shares = names.reduce((sum, name) => sum + SHARE[name], 0);
  const reports: TargetReport[] = [];
  for (const name of names) {
    const count = Math.max(1, Math.round((cases * SHARE[name]) / shares));
    console.error(`fuzzing ${name}: ${count} cases, seed ${seed} …`);
    const report = await runTarget(TARGETS[name](), {
      seed,
      cases: count,
      onProgress: (done) => {
        if (done % 5_000 === 0) console.error(`  ${name}: ${done} cases`);
      },
    });
    for (const finding of report.findings)
      console.error(`  FINDING ${name} #${finding.index}: ${finding.problem}`);
    reports.push(report);
  }
  printTable(reports);
  const findings = reports.flatMap((report) => report.findings);
  if (findings.length > 0) {
    const saved = saveRegressions(findings);
    console.log(
      `\n${findings.length} finding(s); ${saved} new case(s) saved to fuzz/regressions.json (replayed by npm test)`,
    );
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
