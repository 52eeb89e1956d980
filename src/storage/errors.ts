/**
 * A store could not be reached or could not finish in time (the shared database is down, restarting, or
 * saturated). Why a type of its own: the HTTP layer turns it into a polite 503 with `Retry-After` (the client or
 * the platform tries again later, nothing is lost) instead of a 500, and the message is already free of secrets.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(
    message: string,
    /** SQLSTATE or Node error code of the cause, when known (never its text, which may carry secrets). */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** True for {@link StoreUnavailableError}, also across module copies (tests load modules twice). */
export function isStoreUnavailable(err: unknown): err is StoreUnavailableError {
  return err instanceof StoreUnavailableError || (err instanceof Error && err.name === 'StoreUnavailableError');
}
