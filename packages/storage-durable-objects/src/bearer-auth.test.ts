import { expect, it } from 'vitest';
import { bearerAuth } from './bearer-auth.ts';

const request = (authorization?: string) =>
  new Request('http://test/runs', authorization === undefined ? {} : { headers: { authorization } });

it('admits exactly the configured bearer token', async () => {
  const authorize = bearerAuth('s3cret-token');
  expect(await authorize(request('Bearer s3cret-token'))).toBe(true);
  expect(await authorize(request('bearer   s3cret-token'))).toBe(true);
  for (const header of [undefined, '', 'Bearer', 'Bearer s3cret', 'Bearer s3cret-token2', 'Basic s3cret-token', 's3cret-token']) {
    expect(await authorize(request(header))).toBe(false);
  }
});

it('fails closed when no token is configured', async () => {
  for (const token of [undefined, '']) {
    const authorize = bearerAuth(token);
    expect(await authorize(request('Bearer '))).toBe(false);
    expect(await authorize(request('Bearer undefined'))).toBe(false);
  }
});
