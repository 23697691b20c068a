import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { ApiError } from '../errors.js';

/** Hono's body limit (Content-Length and streamed bodies) with Yiju's JSON error. */
export const bodyLimit = (maxBytes: number) =>
  honoBodyLimit({
    maxSize: maxBytes,
    onError: () => {
      // The rest of the body is never read, so the connection cannot carry another request: say so.
      throw new ApiError(413, 'payload_too_large', `the body is larger than ${maxBytes} bytes`, { Connection: 'close' });
    },
  });
