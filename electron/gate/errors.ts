/** A failure with a stable code, thrown by engine methods and turned into `{ok:false,error}` by the API. */
import type { ApiError } from '../../shared/gate-api.js';

export class ApiFailure extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
  ) {
    super(message);
  }
}
