/**
 * Tags and cancellation marks on Moshtix events and ticket types, read loosely: their shapes are not
 * documented (the seed shows only empty `tags.items`), so any plausible form is accepted and anything
 * else is ignored rather than failing a delivery.
 */

const TAG_TEXT_FIELDS = ['name', 'tag', 'value', 'label', 'title'] as const;

function tagText(item: unknown): string | null {
  if (typeof item === 'string') return item.trim() === '' ? null : item.trim();
  if (typeof item !== 'object' || item === null) return null;
  const record = item as Record<string, unknown>;
  for (const field of TAG_TEXT_FIELDS) {
    const value = record[field];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return null;
}

/** The words of a tags value: `{items: [...]}` or a bare list, of strings or objects with a name. */
export function tagNames(tags: unknown): string[] {
  const items = Array.isArray(tags)
    ? tags
    : typeof tags === 'object' && tags !== null && Array.isArray((tags as { items?: unknown }).items)
      ? (tags as { items: unknown[] }).items
      : [];
  const names = items.flatMap((item) => {
    const text = tagText(item);
    return text === null ? [] : [text];
  });
  return [...new Set(names)];
}

const CANCEL_FLAGS = ['cancelled', 'canceled', 'isCancelled', 'isCanceled'] as const;
const STATUS_FIELDS = ['status', 'eventStatus'] as const;

/**
 * Whether an event object says it is cancelled: a `cancelled: true` flag (or "true"), or a status
 * containing CANCEL in any case (CANCELLED, Canceled, EVENT_CANCELLED …).
 */
export function isCancelledMark(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const record = event as Record<string, unknown>;
  const isFlagged = CANCEL_FLAGS.some((field) => {
    const value = record[field];
    return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
  });
  if (isFlagged) return true;
  return STATUS_FIELDS.some((field) => {
    const value = record[field];
    const text =
      typeof value === 'string' ? value : typeof value === 'object' && value !== null ? tagText(value) : null;
    return text !== null && text.toUpperCase().includes('CANCEL');
  });
}
