/**
 * Whether Postgres can store a string in text and jsonb columns: it refuses NUL, and jsonb
 * refuses an unpaired UTF-16 surrogate (JSON.stringify escapes it as \udXXX). Client input with
 * either must be a clear rejection, not a failed statement.
 */
export function isStorableText(value: string): boolean {
  return (
    !value.includes('\u0000') &&
    !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)
  );
}

export const UNSTORABLE_TEXT = {
  code: 'INVALID_TEXT',
  message: 'contains a NUL character or an unpaired UTF-16 surrogate',
} as const;
