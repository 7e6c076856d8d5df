/** A failure with a stable code, thrown by engine methods and turned into `{ok:false,error}` by the API. */
import type { ApiError } from '../../shared/gate-api.js';

export class ApiFailure extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
    /** With `pin_locked`: seconds until a PIN is checked again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  toApiError(): ApiError {
    return {
      code: this.code,
      message: this.message,
      ...(this.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: this.retryAfterSeconds }),
    };
  }
}
