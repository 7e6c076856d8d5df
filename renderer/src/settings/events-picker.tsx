/** Events to admit, picked from the events the relay knows (with their dates), and their ticket types. */
import type { EventInfo } from '../../../shared/tickets.js';
import { dateTime } from '../scan/verdict.js';

function toggle(list: readonly string[], item: string): string[] {
  return list.includes(item) ? list.filter((value) => value !== item) : [...list, item];
}

export function EventsPicker(props: {
  known: EventInfo[];
  events: string[];
  ticketTypes: string[];
  onEvents(next: string[]): void;
  onTicketTypes(next: string[]): void;
}) {
  const { known, events, ticketTypes } = props;
  const unknownSelected = events.filter((id) => !known.some((event) => event.id === id));
  const types = known.filter((event) => events.includes(event.id)).flatMap((event) => event.ticketTypes);
  return (
    <>
      <fieldset className="field" id="setting-events" data-field="events">
        <legend className="field-label">Events to admit</legend>
        {known.length === 0 ? <p className="hint">The relay has sent no events yet.</p> : null}
        {known.map((event) => (
          <label key={event.id} className="check">
            <input
              type="checkbox"
              checked={events.includes(event.id)}
              onChange={() => props.onEvents(toggle(events, event.id))}
            />
            {event.name} {event.startDate ? `· ${dateTime(event.startDate)}` : ''}{' '}
            {event.venueName ? `· ${event.venueName}` : ''}
          </label>
        ))}
        {unknownSelected.map((id) => (
          <label key={id} className="check">
            <input type="checkbox" checked onChange={() => props.onEvents(toggle(events, id))} />
            Event {id} (not known to the relay yet)
          </label>
        ))}
      </fieldset>
      <fieldset className="field" id="setting-ticketTypes" data-field="ticketTypes">
        <legend className="field-label">Ticket types (none ticked = all)</legend>
        {types.length === 0 ? <p className="hint">All ticket types of the chosen events.</p> : null}
        {types.map((type) => (
          <label key={type.id} className="check">
            <input
              type="checkbox"
              checked={ticketTypes.includes(type.id)}
              onChange={() => props.onTicketTypes(toggle(ticketTypes, type.id))}
            />
            {type.name ?? `Type ${type.id}`}
          </label>
        ))}
      </fieldset>
    </>
  );
}
