/**
 * The access token of `cairn ui`: random, in the URL the CLI prints, checked on every API call with a
 * constant-time comparison (a timing difference must not leak how much of a guess was right).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url. */
export function newAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether `given` is `expected`, in constant time (digests have one length whatever was sent). */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token of `Authorization: Bearer <token>`, or null when the header is absent or malformed. */
export function bearerToken(authorization: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(authorization ?? '');
  return match?.[1] ?? null;
}
