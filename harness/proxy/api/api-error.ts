/**
 * Toxiproxy's API errors: a message and an HTTP status, serialised as `{"error":msg,"status":code}`.
 * The messages are Toxiproxy's own so clients that match on them keep working.
 */

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }

  toJSON(): { error: string; status: number } {
    return { error: this.message, status: this.status };
  }
}

/** Go's joinError: `<wrapper message>: <detail>`, with the wrapper's status. */
export function joined(wrapper: ApiError, detail: string): ApiError {
  return new ApiError(`${wrapper.message}: ${detail}`, wrapper.status);
}

export const errBadRequestBody = (): ApiError => new ApiError("bad request body", 400);
export const errMissingField = (): ApiError => new ApiError("missing required field", 400);
export const errProxyNotFound = (): ApiError => new ApiError("proxy not found", 404);
export const errProxyAlreadyExists = (): ApiError => new ApiError("proxy already exists", 409);
export const errInvalidStream = (): ApiError =>
  new ApiError("stream was invalid, can be either upstream or downstream", 400);
export const errInvalidToxicType = (): ApiError => new ApiError("invalid toxic type", 400);
export const errToxicAlreadyExists = (): ApiError => new ApiError("toxic already exists", 409);
export const errToxicNotFound = (): ApiError => new ApiError("toxic not found", 404);

/** Any other failure becomes a 500 carrying the raw message, as Toxiproxy does. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError(e instanceof Error ? e.message : String(e), 500);
}
