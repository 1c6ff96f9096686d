import { type Db, event, publishEvents } from '@cx/platform';
import type { FeedbackRules } from '../config.ts';
import { eventTables, type SurveyResponseRow } from '../db/schema.ts';
import { isDetractor, isInScale, scoreScales } from '../domain/scales.ts';
import { hashToken, isTokenShaped } from '../invitations/token.ts';
import { findInvitationByTokenHashForUpdate, markInvitationResponded } from '../repositories/invitations.ts';
import { insertResponse } from '../repositories/responses.ts';

export interface SurveyRespondInput {
  token: string;
  score: number;
  comment?: string | null;
}

/** The GraphQL UserError shape: field is the input field at fault. */
export interface RespondUserError {
  field: string;
  code: 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'ALREADY_RESPONDED' | 'SCORE_OUT_OF_RANGE' | 'COMMENT_TOO_LONG';
  message: string;
}

export interface RespondResult {
  response: SurveyResponseRow | null;
  userErrors: RespondUserError[];
  /** True when events were written, so the caller wakes the relay after commit. */
  published: boolean;
}

const rejected = (...userErrors: RespondUserError[]): RespondResult => ({
  response: null,
  userErrors,
  published: false,
});

const invalidToken: RespondUserError = {
  field: 'token',
  code: 'TOKEN_INVALID',
  message: 'token: is not a valid survey token',
};

/**
 * Records the one response an invitation allows. Token checks, the response row, the invitation
 * mark and the events commit together; the invitation row is locked, so a token used twice at
 * once yields one response and one ALREADY_RESPONDED.
 */
export async function respondToSurvey(
  db: Db,
  input: SurveyRespondInput,
  rules: FeedbackRules,
): Promise<RespondResult> {
  const comment = input.comment?.trim() || null;
  const { commentMaxLength } = rules.config;
  if (comment && comment.length > commentMaxLength) {
    return rejected({
      field: 'comment',
      code: 'COMMENT_TOO_LONG',
      message: `comment: must be at most ${commentMaxLength} characters`,
    });
  }
  const token = input.token.trim();
  if (!isTokenShaped(token)) return rejected(invalidToken);

  return db.transaction(async (tx) => {
    const invitation = await findInvitationByTokenHashForUpdate(tx, hashToken(token));
    if (!invitation) return rejected(invalidToken);
    if (invitation.respondedAt) {
      return rejected({
        field: 'token',
        code: 'ALREADY_RESPONDED',
        message: 'token: this survey has already been answered',
      });
    }
    const now = rules.now();
    if (now.getTime() >= invitation.expiresAt.getTime()) {
      return rejected({
        field: 'token',
        code: 'TOKEN_EXPIRED',
        message: `token: the survey closed at ${invitation.expiresAt.toISOString()}`,
      });
    }
    if (!isInScale(invitation.kind, input.score)) {
      const { min, max } = scoreScales[invitation.kind];
      return rejected({
        field: 'score',
        code: 'SCORE_OUT_OF_RANGE',
        message: `score: must be a whole number from ${min} to ${max} for a ${invitation.kind} survey`,
      });
    }

    const response = await insertResponse(tx, {
      customerId: invitation.customerId,
      dealerCode: invitation.dealerCode,
      modelCode: invitation.modelCode,
      region: invitation.region,
      kind: invitation.kind,
      touchpoint: invitation.touchpoint,
      score: input.score,
      comment,
      respondedAt: now,
      invitationId: invitation.id,
      surveyId: invitation.surveyId,
    });
    await markInvitationResponded(tx, invitation.id, now);
    const fact = {
      responseId: response.id,
      customerId: response.customerId,
      dealerCode: response.dealerCode,
      kind: response.kind,
      score: response.score,
      at: now.toISOString(),
    };
    await publishEvents(tx, eventTables, [
      event('feedback.response_received', response.customerId, fact),
      ...(isDetractor(response.kind, response.score)
        ? [event('feedback.detractor_received', response.customerId, { ...fact, comment })]
        : []),
    ]);
    return { response, userErrors: [], published: true };
  });
}
