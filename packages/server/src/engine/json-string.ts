/** Printable ASCII except '"' and '\\': what JSON.stringify writes between quotes unchanged. */
const PLAIN_JSON_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * JSON.stringify(s), without the runtime call for the usual plain text (a symbol, an id, an asset,
 * a decimal): hand-written JSON on hot paths (order answers, journal records) quotes through here.
 */
export function jsonString(s: string): string {
  return PLAIN_JSON_STRING.test(s) ? `"${s}"` : JSON.stringify(s);
}
