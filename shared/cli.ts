/**
 * A small declarative command-line parser used by every `gatehouse` subcommand. Pure: it takes the
 * argument list and returns parsed values, a help request, or an error the caller turns into exit 2.
 */
export interface FlagSpec {
  name: string;
  type: 'string' | 'number' | 'boolean';
  description: string;
  /** Placeholder shown in help, e.g. `FILE`. */
  value?: string;
  isRequired?: boolean;
  isRepeatable?: boolean;
}

export interface PositionalSpec {
  name: string;
  description: string;
  isRequired?: boolean;
}

export interface CommandSpec {
  /** Full command path, e.g. `gatehouse relay serve`. */
  usage: string;
  summary: string;
  flags: readonly FlagSpec[];
  positionals?: readonly PositionalSpec[];
  /** Extra lines printed after the flags. */
  notes?: readonly string[];
}

export type FlagValue = string | number | boolean | string[] | number[];
export type ParsedArgs = { flags: Record<string, FlagValue | undefined>; positionals: string[] };
export type ParseOutcome =
  { kind: 'ok'; args: ParsedArgs } | { kind: 'help' } | { kind: 'error'; message: string };

function convert(spec: FlagSpec, raw: string): number | string | Error {
  if (spec.type !== 'number') return raw;
  const value = Number(raw);
  return raw.trim() !== '' && Number.isFinite(value)
    ? value
    : new Error(`--${spec.name} must be a number, got "${raw}"`);
}

export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): ParseOutcome {
  const byName = new Map(spec.flags.map((flag) => [flag.name, flag]));
  const flags: Record<string, FlagValue | undefined> = {};
  const positionals: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
    const flag = byName.get(name);
    if (!flag) return { kind: 'error', message: `unknown flag --${name} (see --help)` };
    let raw: string | undefined = inline;
    if (flag.type === 'boolean') {
      if (raw !== undefined && raw !== 'true' && raw !== 'false') {
        return { kind: 'error', message: `--${name} takes no value` };
      }
      flags[name] = raw !== 'false';
      continue;
    }
    if (raw === undefined) {
      raw = argv[index + 1];
      if (raw === undefined || raw.startsWith('--'))
        return { kind: 'error', message: `--${name} needs a value` };
      index += 1;
    }
    const value = convert(flag, raw);
    if (value instanceof Error) return { kind: 'error', message: value.message };
    if (flag.isRepeatable) {
      const list = (flags[name] as (string | number)[] | undefined) ?? [];
      flags[name] = [...list, value] as string[] | number[];
    } else if (flags[name] !== undefined) {
      return { kind: 'error', message: `--${name} given twice` };
    } else {
      flags[name] = value;
    }
  }
  for (const flag of spec.flags) {
    if (flag.isRequired && flags[flag.name] === undefined) {
      return { kind: 'error', message: `missing required flag --${flag.name}` };
    }
  }
  const expected = spec.positionals ?? [];
  const required = expected.filter((positional) => positional.isRequired).length;
  if (positionals.length < required) {
    const missing = expected[positionals.length];
    return { kind: 'error', message: `missing argument ${missing?.name ?? ''}`.trim() };
  }
  if (positionals.length > expected.length) {
    return { kind: 'error', message: `unexpected argument "${positionals[expected.length] ?? ''}"` };
  }
  return { kind: 'ok', args: { flags, positionals } };
}

export function formatHelp(spec: CommandSpec): string {
  const positionals = (spec.positionals ?? []).map((p) => (p.isRequired ? p.name : `[${p.name}]`)).join(' ');
  const lines = [`Usage: ${spec.usage}${positionals ? ` ${positionals}` : ''} [flags]`, '', spec.summary, ''];
  for (const positional of spec.positionals ?? []) {
    lines.push(`  ${positional.name.padEnd(28)} ${positional.description}`);
  }
  lines.push('Flags:');
  for (const flag of spec.flags) {
    const left = `--${flag.name}${flag.type === 'boolean' ? '' : ` ${flag.value ?? flag.type.toUpperCase()}`}`;
    const extra = [flag.isRequired ? 'required' : '', flag.isRepeatable ? 'repeatable' : '']
      .filter(Boolean)
      .join(', ');
    lines.push(`  ${left.padEnd(28)} ${flag.description}${extra ? ` (${extra})` : ''}`);
  }
  lines.push(`  ${'--help'.padEnd(28)} Show this help`);
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return lines.join('\n');
}
