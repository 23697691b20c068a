import { UserFacingError } from '../../core/errors.js';

export class ModelUnavailableError extends UserFacingError {
  override name = 'ModelUnavailableError';
}

export class ModelIntegrityError extends UserFacingError {
  override name = 'ModelIntegrityError';
}
