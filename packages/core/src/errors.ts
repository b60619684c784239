/**
 * Errors of every Cairn package. One base class with a kebab-case `code`, `retryable` and `cause`,
 * recognised by a `Symbol.for` marker so checks survive two copies of the package and RPC boundaries.
 */

const marker = Symbol.for('cairn.error');

/** Every error code a Cairn package raises. */
export type ErrorCode =
  | 'run-exists'
  | 'run-not-found'
  | 'invalid-run-id'
  | 'invalid-argument'
  | 'storage-conflict'
  | 'storage-unavailable'
  | 'corrupt-journal'
  | 'payload-too-large'
  | 'not-serializable'
  | 'non-determinism'
  | 'non-retriable'
  | 'retry-after'
  | 'step-failed'
  | 'outcome-unknown'
  | 'lease-held'
  | 'workflow-not-found'
  | 'run-failed'
  | 'run-cancelled'
  | 'run-not-retryable'
  | 'run-paused'
  | 'signal-timeout'
  | 'approval-not-found'
  | 'approval-already-decided'
  | 'model-error'
  | 'tool-error'
  | 'output-invalid'
  | 'budget-exceeded'
  | 'max-turns'
  | 'aborted';

/** Facts an error carries as fields, so no caller ever parses a message. */
export interface CairnErrorFacts {
  /** The run concerned. */
  runId?: string;
  /** The step concerned (`name#n`). */
  stepId?: string;
  /** The journal seq concerned. */
  seq?: number;
  /** The adapter or package that raised it (`@cairn/storage-node`). */
  adapter?: string;
}

/** Options every Cairn error takes. */
export interface CairnErrorOptions extends CairnErrorFacts {
  cause?: unknown;
  retryable?: boolean;
}

/** Base class of every error a Cairn package throws. */
export class CairnError extends Error {
  readonly [marker] = true;
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly runId?: string;
  readonly stepId?: string;
  readonly seq?: number;
  readonly adapter?: string;

  constructor(code: ErrorCode, message: string, options: CairnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CairnError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    if (options.runId !== undefined) this.runId = options.runId;
    if (options.stepId !== undefined) this.stepId = options.stepId;
    if (options.seq !== undefined) this.seq = options.seq;
    if (options.adapter !== undefined) this.adapter = options.adapter;
  }

  /** True when `value` is a Cairn error (from any copy of the package), optionally of `code`. */
  static is(value: unknown, code?: ErrorCode): value is CairnError {
    return (
      typeof value === 'object' &&
      value !== null &&
      marker in value &&
      (code === undefined || (value as CairnError).code === code)
    );
  }
}

/**
 * The class `defineError` returns. Named so that declarations list it instead of inlining the
 * constructor type, which would copy the host's `ErrorConstructor` statics (Node's
 * `prepareStackTrace` and its call-site type) into `errors.d.ts` and break consumers without Node types.
 */
interface CodedErrorClass {
  new (message: string, options?: CairnErrorOptions): CairnError;
  /** True when `value` is a Cairn error (from any copy of the package), optionally of `code`. */
  is(value: unknown, code?: ErrorCode): value is CairnError;
}

function defineError(name: string, code: ErrorCode, retryable = false): CodedErrorClass {
  return class extends CairnError {
    constructor(message: string, options: CairnErrorOptions = {}) {
      super(code, message, { retryable, ...options });
      this.name = name;
    }
  };
}

/** `createRun` was given an id that is taken. */
export class RunExistsError extends defineError('RunExistsError', 'run-exists') {}
/** A mutation named a run the store does not have. */
export class RunNotFoundError extends defineError('RunNotFoundError', 'run-not-found') {}
/** A run id does not match `/^[A-Za-z0-9_-]{1,128}$/`. */
export class InvalidRunIdError extends defineError('InvalidRunIdError', 'invalid-run-id') {}
/** An argument is out of its domain (names the argument). */
export class InvalidArgumentError extends defineError('InvalidArgumentError', 'invalid-argument') {}
/** A compare-and-set lost: someone else wrote first. Losing is a normal outcome for a resumer. */
export class StorageConflictError extends defineError('StorageConflictError', 'storage-conflict') {}
/** The backend failed (busy, quota, I/O); `retryable` says whether trying again may help. */
export class StorageUnavailableError extends defineError('StorageUnavailableError', 'storage-unavailable') {}
/** A journal record fails its checksum or cannot be decoded. Only the named run is affected. */
export class CorruptJournalError extends defineError('CorruptJournalError', 'corrupt-journal') {}
/** An encoded payload exceeds the store's `limits.maxPayloadBytes`. */
export class PayloadTooLargeError extends defineError('PayloadTooLargeError', 'payload-too-large') {}
/** A value cannot be journaled (function, class instance, cycle, bigint…). */
export class NotSerializableError extends defineError('NotSerializableError', 'not-serializable') {}
/**
 * Replay asked for a different step than the journal recorded at that position. `seq` is the
 * recorded entry, `expected` the step id the journal recorded there and `actual` the one asked for.
 */
export class NonDeterminismError extends defineError('NonDeterminismError', 'non-determinism') {
  readonly expected?: string;
  readonly actual?: string;
  readonly callIndex?: number;
  constructor(message: string, options: CairnErrorOptions & { expected?: string; actual?: string; callIndex?: number } = {}) {
    const { expected, actual, callIndex, ...rest } = options;
    super(message, rest);
    if (expected !== undefined) this.expected = expected;
    if (actual !== undefined) this.actual = actual;
    if (callIndex !== undefined) this.callIndex = callIndex;
  }
}
/** Thrown by user code: do not retry this step. */
export class NonRetriableError extends defineError('NonRetriableError', 'non-retriable') {}
/** An in-flight `effect: 'once'` step may or may not have happened. */
export class OutcomeUnknownError extends defineError('OutcomeUnknownError', 'outcome-unknown') {}
/** Another owner holds a live lease on the run. */
export class LeaseHeldError extends defineError('LeaseHeldError', 'lease-held', true) {}
/** The runtime has no workflow of the run's name. */
export class WorkflowNotFoundError extends defineError('WorkflowNotFoundError', 'workflow-not-found') {}
/** A `waitForSignal` timed out. */
export class SignalTimeoutError extends defineError('SignalTimeoutError', 'signal-timeout') {}
/** `approve` named an approval that is not pending. */
export class ApprovalNotFoundError extends defineError('ApprovalNotFoundError', 'approval-not-found') {}
/** `approve` named an approval that was already decided. */
export class ApprovalAlreadyDecidedError extends defineError('ApprovalAlreadyDecidedError', 'approval-already-decided') {}
/** The run was cancelled. */
export class RunCancelledError extends defineError('RunCancelledError', 'run-cancelled') {}
/** `retry` of a run that is not `failed` (cancelled, completed, still running or paused). */
export class RunNotRetryableError extends defineError('RunNotRetryableError', 'run-not-retryable') {}
/** The operation was aborted by an AbortSignal. */
export class AbortedError extends defineError('AbortedError', 'aborted') {}

/**
 * A model call failed: an HTTP error, a timeout, a lost connection or a malformed reply. `retryable`
 * says whether another attempt may help (5xx, timeouts, network: yes; 400/401/403/404: no).
 * Messages name the model and the HTTP status, never the request, the reply or a credential.
 */
export class ModelError extends defineError('ModelError', 'model-error') {}
/** Tool calls kept failing (invalid arguments, unknown tool, a throwing tool) beyond `maxToolErrors`. */
export class ToolError extends defineError('ToolError', 'tool-error') {}
/** The model's final reply did not match the output schema after `maxOutputRetries` re-asks. */
export class OutputInvalidError extends defineError('OutputInvalidError', 'output-invalid') {}
/** The run's token budget was exceeded and the budget approval was rejected. */
export class BudgetExceededError extends defineError('BudgetExceededError', 'budget-exceeded') {}
/** The agent used `maxTurns` model calls without reaching a final answer. */
export class MaxTurnsError extends defineError('MaxTurnsError', 'max-turns') {}

/** Thrown by user code: retry this step, but not before `delayMs` (or the given date). */
export class RetryAfterError extends CairnError {
  readonly retryAfterMs: number | undefined;
  readonly retryAt: number | undefined;
  constructor(message: string, retryAfter: number | Date, options: CairnErrorOptions = {}) {
    super('retry-after', message, { retryable: true, ...options });
    this.name = 'RetryAfterError';
    this.retryAfterMs = typeof retryAfter === 'number' ? retryAfter : undefined;
    this.retryAt = retryAfter instanceof Date ? retryAfter.getTime() : undefined;
  }
}

/** The run ended `failed`; `runId` names it and `cause` carries the workflow's error. */
export class RunFailedError extends CairnError {
  override readonly runId: string;
  constructor(runId: string, message: string, options: CairnErrorOptions = {}) {
    super('run-failed', message, { ...options, runId });
    this.name = 'RunFailedError';
    this.runId = runId;
  }
}

/** A step's function failed after all its attempts (or the failure was replayed from the journal). */
export class StepFailedError extends CairnError {
  override readonly stepId: string;
  readonly attempts: number;
  constructor(stepId: string, attempts: number, message: string, options: CairnErrorOptions = {}) {
    super('step-failed', message, { ...options, stepId });
    this.name = 'StepFailedError';
    this.stepId = stepId;
    this.attempts = attempts;
  }
}

/** The error classes by code: the one registry used to rebuild errors from their journal or wire form. */
const ERROR_CLASSES: Partial<Record<ErrorCode, new (message: string, options?: CairnErrorOptions) => CairnError>> = {
  'run-exists': RunExistsError,
  'run-not-found': RunNotFoundError,
  'invalid-run-id': InvalidRunIdError,
  'invalid-argument': InvalidArgumentError,
  'storage-conflict': StorageConflictError,
  'storage-unavailable': StorageUnavailableError,
  'corrupt-journal': CorruptJournalError,
  'payload-too-large': PayloadTooLargeError,
  'not-serializable': NotSerializableError,
  'non-determinism': NonDeterminismError,
  'non-retriable': NonRetriableError,
  'outcome-unknown': OutcomeUnknownError,
  'lease-held': LeaseHeldError,
  'workflow-not-found': WorkflowNotFoundError,
  'signal-timeout': SignalTimeoutError,
  'approval-not-found': ApprovalNotFoundError,
  'approval-already-decided': ApprovalAlreadyDecidedError,
  'run-cancelled': RunCancelledError,
  'run-not-retryable': RunNotRetryableError,
  aborted: AbortedError,
  'model-error': ModelError,
  'tool-error': ToolError,
  'output-invalid': OutputInvalidError,
  'budget-exceeded': BudgetExceededError,
  'max-turns': MaxTurnsError,
};

/**
 * Rebuild a Cairn error of `code` from its parts (journal, RPC, HTTP): the class registered for the
 * code (so `instanceof` works after a round trip), or a plain `CairnError` for codes whose class needs
 * more than a message (`retry-after`, `run-failed`, `step-failed`) or that a newer version added.
 */
export function createCairnError(code: ErrorCode, message: string, options: CairnErrorOptions = {}): CairnError {
  const ErrorClass = ERROR_CLASSES[code];
  const error = ErrorClass ? new ErrorClass(message, options) : new CairnError(code, message, options);
  if (options.retryable !== undefined) (error as { retryable: boolean }).retryable = options.retryable;
  return error;
}
