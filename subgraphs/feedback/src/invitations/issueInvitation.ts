import { type Db, event, publishEvents } from '@cx/platform';
import { DAY_MS, type FeedbackRules } from '../config.ts';
import {
  eventTables,
  type InvitationRow,
  type SuppressionReason,
  type SuppressionRow,
} from '../db/schema.ts';
import {
  findFatigueInvitation,
  insertInvitation,
  isTouchpointDecided,
  lockCustomerInvitations,
} from '../repositories/invitations.ts';
import { findConsents, findTouchpointContext } from '../repositories/projections.ts';
import { insertSuppression } from '../repositories/suppressions.ts';
import { findActiveSurvey } from '../repositories/surveys.ts';
import { newToken } from './token.ts';
import type { TouchpointFact } from './touchpoints.ts';

/**
 * Survey invitations are service communications, not marketing, so no single marketing consent
 * is required. But a customer who has withdrawn every channel we would reach them on (both
 * MARKETING_SMS and MARKETING_PUSH explicitly false) has said "do not contact me": suppress.
 * Unknown consent (no event seen yet) does not suppress.
 */
export const contactConsentPurposes = ['MARKETING_SMS', 'MARKETING_PUSH'] as const;

/** Post-complaint surveys are exempt from fatigue: they are always sent and never count towards it. */
export const fatigueExemptTouchpoints: ReadonlySet<string> = new Set(['COMPLAINT_RESOLVED']);

export type IssueOutcome =
  | { outcome: 'INVITED'; invitation: InvitationRow }
  | { outcome: 'SUPPRESSED'; suppression: SuppressionRow }
  | { outcome: 'DUPLICATE' };

/**
 * Decides one touchpoint inside the consumer's transaction: an invitation (with its
 * 'feedback.invitation_issued' event for delivery) or a suppression with its reason. A touchpoint
 * already decided is left alone, so a redelivered or re-sent touchpoint never invites twice.
 */
export async function issueInvitation(
  tx: Db,
  fact: TouchpointFact,
  rules: FeedbackRules,
): Promise<IssueOutcome> {
  const now = rules.now();
  const { config } = rules;
  await lockCustomerInvitations(tx, fact.customerId);
  if (await isTouchpointDecided(tx, fact.touchpoint, fact.sourceRef)) return { outcome: 'DUPLICATE' };

  const source = {
    customerId: fact.customerId,
    touchpoint: fact.touchpoint,
    dealerCode: fact.dealerCode,
    sourceTopic: fact.sourceTopic,
    sourceRef: fact.sourceRef,
    sourceEventId: fact.sourceEventId,
    touchpointAt: fact.at,
  };
  const suppress = async (
    reason: SuppressionReason,
    detail: string,
    extra: { surveyId?: string; blockingInvitationId?: string } = {},
  ): Promise<IssueOutcome> => ({
    outcome: 'SUPPRESSED',
    suppression: await insertSuppression(tx, { ...source, ...extra, reason, detail, suppressedAt: now }),
  });

  const survey = await findActiveSurvey(tx, fact.touchpoint);
  if (!survey) return suppress('NO_ACTIVE_SURVEY', `no active survey for ${fact.touchpoint}`);
  const ttlMs = config.invitationTtlDays * DAY_MS;
  if (now.getTime() - fact.at.getTime() > ttlMs) {
    return suppress(
      'STALE_TOUCHPOINT',
      `the touchpoint happened at ${fact.at.toISOString()}, more than ${config.invitationTtlDays} days ago`,
      { surveyId: survey.id },
    );
  }
  const consent = await findConsents(tx, fact.customerId, contactConsentPurposes);
  if (contactConsentPurposes.every((purpose) => consent.get(purpose) === false)) {
    return suppress('CONSENT', `${contactConsentPurposes.join(' and ')} are both withdrawn`, {
      surveyId: survey.id,
    });
  }
  const exempt = fatigueExemptTouchpoints.has(fact.touchpoint);
  if (!exempt) {
    const since = new Date(now.getTime() - config.suppressionWindowDays * DAY_MS);
    const blocking = await findFatigueInvitation(tx, fact.customerId, since);
    if (blocking) {
      return suppress(
        'FATIGUE',
        `already invited at ${blocking.invitedAt.toISOString()}, within the ${config.suppressionWindowDays}-day window`,
        { surveyId: survey.id, blockingInvitationId: blocking.id },
      );
    }
  }

  const context = await findTouchpointContext(tx, { dealerCode: fact.dealerCode, vin: fact.vin });
  const { token, hash } = newToken();
  const invitation = await insertInvitation(tx, {
    ...source,
    surveyId: survey.id,
    kind: survey.kind,
    modelCode: fact.modelCode ?? context.modelCode,
    region: context.region,
    vin: fact.vin,
    tokenHash: hash,
    fatigueExempt: exempt,
    invitedAt: now,
    expiresAt: new Date(now.getTime() + ttlMs),
  });
  await publishEvents(tx, eventTables, [
    event('feedback.invitation_issued', invitation.customerId, {
      invitationId: invitation.id,
      customerId: invitation.customerId,
      surveyId: survey.id,
      kind: survey.kind,
      touchpoint: invitation.touchpoint,
      dealerCode: invitation.dealerCode,
      question: survey.question,
      token,
      expiresAt: invitation.expiresAt.toISOString(),
      at: now.toISOString(),
    }),
  ]);
  return { outcome: 'INVITED', invitation };
}
