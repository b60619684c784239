/**
 * The few platform APIs that browsers, workerd and Node all share, declared by hand so that
 * `@cairn/core` compiles with neither DOM nor Node types: `process`, `Buffer` and `window` cannot
 * creep in. Only what core actually uses is declared.
 */
declare global {
  interface Console {
    log(...data: unknown[]): void;
    warn(...data: unknown[]): void;
    error(...data: unknown[]): void;
  }
  var console: Console;

  function setTimeout(handler: (...args: never[]) => void, timeout?: number): unknown;
  function clearTimeout(id: unknown): void;
  function queueMicrotask(callback: () => void): void;
  function structuredClone<T>(value: T): T;

  interface AbortSignal {
    readonly aborted: boolean;
    readonly reason: unknown;
    addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
    removeEventListener(type: 'abort', listener: () => void): void;
    throwIfAborted(): void;
  }
  var AbortSignal: { prototype: AbortSignal; any(signals: AbortSignal[]): AbortSignal; abort(reason?: unknown): AbortSignal };
  interface AbortController {
    readonly signal: AbortSignal;
    abort(reason?: unknown): void;
  }
  var AbortController: { prototype: AbortController; new (): AbortController };

  interface TextEncoder {
    encode(input?: string): Uint8Array;
  }
  var TextEncoder: { prototype: TextEncoder; new (): TextEncoder };
  interface TextDecoder {
    decode(input?: Uint8Array): string;
  }
  var TextDecoder: { prototype: TextDecoder; new (): TextDecoder };

  interface SubtleCrypto {
    digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer>;
  }
  interface Crypto {
    readonly subtle: SubtleCrypto;
    getRandomValues<T extends Uint8Array | Uint32Array>(array: T): T;
    randomUUID(): string;
  }
  var crypto: Crypto;
}

export {};
