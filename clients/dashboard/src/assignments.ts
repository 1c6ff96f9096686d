import { byId, el } from './dom.ts';
import { median, secondsToLead } from './speedToLead.ts';
import type { ConnectionState, LeadAssignedEvent } from './types.ts';

/** Rows kept on the page; older ones scroll away, the speed-to-lead figure keeps counting them. */
const maxRows = 200;

/** The live table (newest on top) and the running median speed-to-lead over every event seen. */
export class AssignmentsView {
  private readonly seconds: number[] = [];
  private readonly rows = byId('assignments');
  private readonly speed = byId('speed-to-lead');

  add(event: LeadAssignedEvent): void {
    const at = new Date(event.assignedAt);
    const row = el(
      'tr',
      {
        'data-testid': 'assignment-row',
        'data-cursor': event.cursor,
        'data-lead-id': event.lead.id,
        'data-created-at': event.lead.createdAt,
        'data-assigned-at': event.assignedAt,
      },
      el('td', { title: event.assignedAt }, at.toLocaleTimeString()),
      el('td', {}, event.lead.source),
      el('td', {}, event.lead.interestedModel?.name ?? '—'),
      el('td', {}, event.lead.customer.displayName),
      el('td', {}, event.consultant.name),
      el('td', { title: event.consultant.dealer.code }, event.consultant.dealer.name),
      el('td', { class: 'reason' }, event.reason),
    );
    this.rows.prepend(row);
    while (this.rows.childElementCount > maxRows) this.rows.lastElementChild?.remove();
    this.seconds.push(secondsToLead(event.lead.createdAt, event.assignedAt));
    this.renderSpeed();
  }

  private renderSpeed(): void {
    const value = median(this.seconds);
    if (value === null) return;
    this.speed.dataset.medianSeconds = String(value);
    this.speed.dataset.count = String(this.seconds.length);
    this.speed.textContent = `${formatSeconds(value)} median over ${this.seconds.length} lead${this.seconds.length === 1 ? '' : 's'}`;
  }
}

export function formatSeconds(seconds: number): string {
  // Assignment usually commits with the lead itself, so sub-second figures are the common case.
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function showConnection(state: ConnectionState, detail?: string): void {
  const status = byId('connection-status');
  status.dataset.state = state;
  status.textContent = detail ? `${state}: ${detail}` : state;
}
