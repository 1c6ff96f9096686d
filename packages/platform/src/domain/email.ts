export type EmailResult = { ok: true; email: string } | { ok: false; code: 'EMAIL_FORMAT'; message: string };

export function normalizeEmail(input: string): EmailResult {
  const email = input.trim().toLowerCase();
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[a-z]{2,}$/.test(email)) {
    return { ok: false, code: 'EMAIL_FORMAT', message: 'is not a valid email address' };
  }
  return { ok: true, email };
}

/** z***@example.com */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}
