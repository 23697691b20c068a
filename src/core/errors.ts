/**
 * Errors a user can act on: the message names the problem and the fix. The
 * CLI prints them without a stack; the HTTP app never shows a stack at all.
 * Every error Yiju raises on purpose is one of these, or a ChatModelError
 * (src/core/ports.ts) that the answerers turn into a fallback.
 */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(fix ? `${message}\n  Fix: ${fix}` : message);
    this.name = 'UserFacingError';
  }
}
