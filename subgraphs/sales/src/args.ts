/** Dealer codes are stored upper-case; blank means "all dealers". */
export function normalizeDealerCode(code: string | null | undefined): string | null {
  const trimmed = code?.trim();
  return trimmed ? trimmed.toUpperCase() : null;
}
