/** Errors a user can act on: the message names the problem and the fix. Never shown with a stack. */
export class UserFacingError extends Error {
  constructor(message: string, readonly fix?: string) {
    super(fix ? `${message}\n  Fix: ${fix}` : message);
    this.name = 'UserFacingError';
  }
}

export class ModelUnavailableError extends UserFacingError {
  override name = 'ModelUnavailableError';
}

export class ModelIntegrityError extends UserFacingError {
  override name = 'ModelIntegrityError';
}
