/**
 * A bearer-token check for the runs API, in constant time: both tokens are hashed with SHA-256 and
 * the digests compared byte by byte without an early exit, so the response time tells nothing
 * about how much of a guess was right (nor the token's length).
 */

const encoder = new TextEncoder();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/**
 * An `authorize` hook that admits requests carrying `Authorization: Bearer <token>`. With no token
 * configured (`undefined` or empty) it admits nothing: a missing secret fails closed.
 *
 * @example
 * handleRunsRequest(request, { host, authorize: bearerAuth(env.CAIRN_TOKEN) });
 */
export function bearerAuth(token: string | undefined): (request: Request) => Promise<boolean> {
  return async (request) => {
    if (typeof token !== 'string' || token.length === 0) return false;
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.get('authorization') ?? '');
    if (!match) return false;
    const [want, got] = await Promise.all([digest(token), digest(match[1]!)]);
    let difference = 0;
    for (let i = 0; i < want.length; i++) difference |= want[i]! ^ got[i]!;
    return difference === 0;
  };
}
