import type { EventKind } from '../db/schema.ts';
import type { TagDraft } from './types.ts';

const DAY_MS = 86_400_000;

/**
 * Behavior rules: each event kind sets a tag that holds for a window after the latest matching
 * event, e.g. "viewed WEY-MOCHA-2024 in the last 7 days". The tag expires when the window passes.
 */
export interface BehaviorRule {
  kind: EventKind;
  windowDays: number;
  /** Whether the event must name a subject (a model code, campaign code or coupon code). */
  subjectRequired: boolean;
  key(subject: string | null): string;
  label(subject: string | null): string;
}

export const behaviorRules: Record<EventKind, BehaviorRule> = {
  MODEL_PAGE_VIEWED: {
    kind: 'MODEL_PAGE_VIEWED',
    windowDays: 7,
    subjectRequired: true,
    key: (s) => `viewed:${s}`,
    label: (s) => `Viewed ${s} in the last 7 days`,
  },
  TEST_DRIVE_CAMPAIGN_JOINED: {
    kind: 'TEST_DRIVE_CAMPAIGN_JOINED',
    windowDays: 30,
    subjectRequired: true,
    key: (s) => `test-drive-campaign:${s}`,
    label: (s) => `Joined test-drive campaign ${s} in the last 30 days`,
  },
  COMMUNITY_POSTED: {
    kind: 'COMMUNITY_POSTED',
    windowDays: 30,
    subjectRequired: false,
    key: () => 'community-active',
    label: () => 'Posted in the community in the last 30 days',
  },
  COUPON_CLICKED: {
    kind: 'COUPON_CLICKED',
    windowDays: 14,
    subjectRequired: true,
    key: (s) => `coupon-clicked:${s}`,
    label: (s) => `Clicked coupon ${s} in the last 14 days`,
  },
};

/** The longest window: older events can no longer produce a tag, so they need not be read. */
export const maxBehaviorWindowMs =
  Math.max(...Object.values(behaviorRules).map((r) => r.windowDays)) * DAY_MS;

export interface BehaviorEvent {
  kind: EventKind;
  subject: string | null;
  occurredAt: Date;
}

/** Live behavior tags at `now`: one per rule key, expiring a window after its latest event. */
export function behaviorTags(events: readonly BehaviorEvent[], now: Date): TagDraft[] {
  const byKey = new Map<string, TagDraft>();
  for (const e of events) {
    const rule = behaviorRules[e.kind];
    const expiresAt = new Date(e.occurredAt.getTime() + rule.windowDays * DAY_MS);
    if (expiresAt.getTime() <= now.getTime()) continue;
    const key = rule.key(e.subject);
    const prev = byKey.get(key);
    if (!prev || prev.expiresAt!.getTime() < expiresAt.getTime())
      byKey.set(key, { key, label: rule.label(e.subject), kind: 'BEHAVIOR', score: null, expiresAt });
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}
