/**
 * Turns a corpus file's bytes into text, or says why they are not a text Yiju can read: UTF-8 (with or without a
 * byte-order mark) and UTF-16 with a byte-order mark are text; anything else, or text that is mostly control
 * characters (a binary file that happens to decode), is not.
 */

/** More than this share of control characters (other than line breaks and tabs) and the file is not text. */
const MAX_CONTROL_SHARE = 0.01;
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/gu;

export type Decoded = { text: string } | { reason: string };

export function decodeText(bytes: Uint8Array): Decoded {
  let text: string;
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) text = new TextDecoder('utf-16le', { fatal: true }).decode(bytes.subarray(2));
    else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = new TextDecoder('utf-16be', { fatal: true }).decode(bytes.subarray(2));
    else text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { reason: 'not UTF-8 or UTF-16 text (a legacy encoding such as GBK? convert it: iconv -f GBK -t UTF-8)' };
  }
  const controls = text.match(CONTROL)?.length ?? 0;
  if (text.length && controls / text.length > MAX_CONTROL_SHARE) return { reason: 'a binary file, not text (it is mostly control characters)' };
  return { text };
}
