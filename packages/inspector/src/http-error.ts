/** An error answered over HTTP as `{ error: { code, message } }`, rebuilt with its code and status. */
export class InspectorHttpError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'InspectorHttpError';
    this.code = code;
    this.status = status;
  }
}

/** Read a JSON response, throwing `InspectorHttpError` for an error status. */
export async function readJson<T>(response: Response, what: string): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    throw new InspectorHttpError(
      response.status,
      'bad-response',
      `[@cairn/inspector] ${what}: answer is not JSON (HTTP ${response.status})`,
    );
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    throw new InspectorHttpError(
      response.status,
      typeof error?.code === 'string' ? error.code : `http-${response.status}`,
      typeof error?.message === 'string' ? error.message : `[@cairn/inspector] ${what}: HTTP ${response.status}`,
    );
  }
  return body as T;
}
