/** Small formatting rules shared by the screens: short barcodes, event dates, lookup matches. */
import type { LookupMatch } from '../../shared/gate-api.js';
import type { EventInfo } from '../../shared/tickets.js';

/** The last 8 characters, which is what staff compare against the printed ticket. */
export function shortBarcode(barcode: string): string {
  return barcode.length > 10 ? `…${barcode.slice(-8)}` : barcode;
}

/** "Fri 27 Nov 2026, 20:00" in this PC's time. */
export function eventWhen(iso: string | null): string {
  if (!iso) return 'date not known';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const day = date.toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
  const time = date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false });
  return `${day.replaceAll(',', '')}, ${time}`;
}

export function eventLine(event: EventInfo): string {
  return [eventWhen(event.startDate), event.venueName].filter(Boolean).join(' · ');
}

export function matchWords(match: LookupMatch, orderId: string): string {
  switch (match) {
    case 'barcode':
      return 'barcode';
    case 'order':
      return `order ${orderId}`;
    case 'holder_name':
      return 'holder name';
    case 'buyer_name':
      return 'buyer name';
    case 'buyer_email':
      return 'buyer email';
    default: {
      const impossible: never = match;
      return String(impossible);
    }
  }
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
