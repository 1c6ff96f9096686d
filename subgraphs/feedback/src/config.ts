/** The feedback rules' tunables; createFeedbackSubgraph takes overrides. */
export interface FeedbackConfig {
  /** At most one invitation per customer per this many days (REFERENCE.md: 30). */
  suppressionWindowDays: number;
  /** Invitations expire after this many days. */
  invitationTtlDays: number;
  /** Free-text comments longer than this are rejected. */
  commentMaxLength: number;
}

export const defaultFeedbackConfig: FeedbackConfig = {
  suppressionWindowDays: 30,
  invitationTtlDays: 14,
  commentMaxLength: 2000,
};

export const DAY_MS = 24 * 60 * 60 * 1000;

/** What business rules run with: the injectable clock and the tunables. */
export interface FeedbackRules {
  now: () => Date;
  config: FeedbackConfig;
}

export function feedbackRules(
  options: { now?: () => Date; config?: Partial<FeedbackConfig> } = {},
): FeedbackRules {
  return {
    now: options.now ?? (() => new Date()),
    config: { ...defaultFeedbackConfig, ...options.config },
  };
}
