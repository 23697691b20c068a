/** The HTTP app's options are declared with the other settings (src/config/common.ts). */
export { HttpOptionsSchema, type HttpOptions } from '../config/common.js';
