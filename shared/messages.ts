/**
 * Human words for what people read: contract validation issues ("Note is required", "Pulse must be
 * at least 50 ms") and why a ticket is no longer valid. One mapping, used by the gate API (its
 * `path: problem` messages), the UI (whole sentences) and the CLI, so no schema jargon ("Too small:
 * expected string to have >=1 characters") ever reaches a person.
 */

/** The parts of a zod issue this needs (zod's own type is not imported: shared stays schema-agnostic). */
export interface IssueLike {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  expected?: string;
  format?: string;
  values?: readonly unknown[];
  keys?: readonly string[];
}

/** What people call each input field, by its path in the contract (without a leading `changes.`). */
export const FIELD_NAMES: Record<string, string> = {
  changes: 'The list of changes',
  relayUrl: 'Relay URL',
  token: 'Gate token',
  gateName: 'Gate name',
  events: 'Events',
  ticketTypes: 'Ticket types',
  mode: 'Mode',
  reentry: 'Re-entry',
  sounds: 'Sounds',
  capacity: 'Capacity',
  pin: 'New PIN',
  kiosk: 'Kiosk',
  hideNames: 'Hide names',
  pinUnlockMinutes: 'PIN unlock period',
  openAtLogin: 'Open at login',
  turnstile: 'Turnstile',
  'turnstile.spec': 'Turnstile device',
  'turnstile.exitSpec': 'Exit turnstile device',
  'turnstile.pulseMs': 'Pulse',
  'turnstile.passageTimeoutMs': 'Passage window',
  note: 'Note',
  barcode: 'Barcode',
  query: 'Search',
  scanId: 'Scan',
  conflictId: 'Conflict',
  orderId: 'Order',
  eventId: 'Event',
  direction: 'Direction',
  limit: 'Limit',
  result: 'Result filter',
  gate: 'Gate filter',
};

/** Names the staff PIN in the inputs of staff actions (a new PIN in settings is `changes.pin`). */
const ACTION_FIELD_NAMES: Record<string, string> = { pin: 'Staff PIN' };

const UNITS: Record<string, string> = {
  'turnstile.pulseMs': 'ms',
  'turnstile.passageTimeoutMs': 'ms',
  pinUnlockMinutes: 'minutes',
};

export function pathText(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

function fieldKey(path: string): string {
  return path.replace(/^changes\./, '');
}

function humanise(path: string): string {
  const words = path
    .split('.')
    .map((part) => part.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase())
    .join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "Pulse" for `changes.turnstile.pulseMs`; a readable guess for a path it does not know. */
export function fieldName(path: string): string {
  if (path === '' || path === '(input)') return '';
  const key = fieldKey(path);
  if (!path.startsWith('changes.') && ACTION_FIELD_NAMES[key]) return ACTION_FIELD_NAMES[key];
  return FIELD_NAMES[key] ?? humanise(key);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function withUnit(value: number | bigint | undefined, path: string): string {
  const unit = UNITS[fieldKey(path)];
  return `${String(value)}${unit ? ` ${unit}` : ''}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'must be text',
  number: 'must be a number',
  int: 'must be a whole number',
  boolean: 'must be yes or no',
  array: 'must be a list',
  object: 'is missing or malformed',
};

const FORMAT_WORDS: Record<string, string> = {
  uuid: 'is not a valid id',
  url: 'must be a web address',
  email: 'must be an email address',
  datetime: 'must be a date and time',
};

/** Our own refine/regex messages start like this; zod's defaults start with a capital ("Invalid …"). */
function isOwnMessage(message: string): boolean {
  return /^[a-z]/.test(message);
}

function sizeWords(issue: IssueLike, path: string): string {
  const isSmall = issue.code === 'too_small';
  const bound = isSmall ? issue.minimum : issue.maximum;
  switch (issue.origin) {
    case 'string':
      if (isSmall && Number(bound) <= 1) return 'is required';
      return `must be at ${isSmall ? 'least' : 'most'} ${String(bound)} characters`;
    case 'array':
    case 'set':
      if (isSmall && Number(bound) <= 1) return 'needs at least one item';
      return `can have at ${isSmall ? 'least' : 'most'} ${String(bound)} items`;
    default:
      if (issue.inclusive === false)
        return `must be ${isSmall ? 'more' : 'less'} than ${withUnit(bound, path)}`;
      return `must be at ${isSmall ? 'least' : 'most'} ${withUnit(bound, path)}`;
  }
}

/** The problem, worded to follow the field's name: "is required", "must be at least 50 ms". */
export function issueProblem(issue: IssueLike): string {
  const path = pathText(issue.path);
  switch (issue.code) {
    case 'too_small':
    case 'too_big':
      return sizeWords(issue, path);
    case 'invalid_type':
      if (/received undefined$/.test(issue.message)) return 'is required';
      return TYPE_WORDS[issue.expected ?? ''] ?? 'is not valid';
    case 'invalid_value':
      return `must be one of: ${(issue.values ?? []).map(String).join(', ')}`;
    case 'invalid_format':
      if (issue.format === 'regex' || issue.format === 'starts_with')
        return isOwnMessage(issue.message) ? issue.message : 'is not in the right form';
      return FORMAT_WORDS[issue.format ?? ''] ?? 'is not in the right form';
    case 'unrecognized_keys':
      return `has fields it does not know: ${(issue.keys ?? []).join(', ')}`;
    case 'custom':
      return isOwnMessage(issue.message) ? issue.message : 'is not valid';
    default:
      return 'is not valid';
  }
}

/** A whole sentence for a person: "Pulse must be at least 50 ms". */
export function issueSentence(issue: IssueLike): string {
  const name = fieldName(pathText(issue.path));
  const problem = issueProblem(issue);
  return name === '' ? capitalise(problem) : `${name} ${problem}`;
}

// A problem that reads as the rest of a sentence about its field ("must be…", "is required").
const CONTINUES_FIELD = /^(is|are|must|can|cannot|has|needs|should)\b/;

/**
 * Any gate API error message (`path: problem`, or plain words) as a sentence for a person. Problems
 * that continue the field's name get it in front; others already say what they mean.
 */
export function errorSentence(message: string): string {
  const match = /^([\w.[\]-]+): (.+)$/s.exec(message);
  if (!match) return capitalise(message);
  const path = match[1] ?? '';
  const problem = match[2] ?? '';
  if (!CONTINUES_FIELD.test(problem)) return capitalise(problem);
  const name = fieldName(path);
  return name === '' ? capitalise(problem) : `${name} ${problem}`;
}

/** The field of the form an error message names (`changes.turnstile.pulseMs` → `turnstile.pulseMs`). */
export function errorField(message: string): string | null {
  const match = /^([\w.[\]-]+): /.exec(message);
  return match?.[1] ? fieldKey(match[1]) : null;
}

const CAUSES: Record<string, string> = {
  sold: 'valid',
  imported: 'imported',
  refunded: 'refunded',
  cancelled: 'cancelled',
  reissued: 'replaced by a newer ticket',
  removed_from_order: 'removed from its order',
  csv: 'not valid in the imported list',
  not_valid: 'not valid',
};

/** Why a ticket is in its state, in a few words for its detail ("refunded"). */
export function causeWords(cause: string): string {
  return CAUSES[cause] ?? 'no longer valid';
}

function clock(iso: string, hasSeconds: boolean, timeZone: string | undefined): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleTimeString('en-GB', {
    hour12: false,
    hour: '2-digit',
    minute: '2-digit',
    ...(hasSeconds ? { second: '2-digit' } : {}),
    timeZone,
  });
}

/**
 * The door's sentence for a ticket that is not valid, by why it became so. Unknown causes (and the
 * relay's generic `not_valid`) keep the generic words.
 */
export function notValidMessage(cause: string, changedAt: string, timeZone?: string): string {
  switch (cause) {
    case 'refunded':
    case 'cancelled':
      return `Ticket ${cause} (order changed ${clock(changedAt, false, timeZone)})`;
    case 'reissued':
      return 'Replaced by a newer ticket — ask for the new one';
    case 'removed_from_order':
      return `Ticket removed from its order (order changed ${clock(changedAt, false, timeZone)})`;
    case 'csv':
      return 'Ticket not valid in the imported list';
    default:
      return `Ticket no longer valid (order changed ${clock(changedAt, true, timeZone)})`;
  }
}
