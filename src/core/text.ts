/**
 * Half of a UTF-16 surrogate pair, or U+FFFD: the character a decoder leaves where bytes were not
 * valid text. Neither can be read back as what the user typed.
 */
const BROKEN = /\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What makes a string unfit to store, in words for a message (never quoting it), or null when it is
 * fine: a NUL character (PostgreSQL refuses it in text and JSON) or a broken character.
 */
export function textFault(text: string): string | null {
  if (text.includes("\0")) return "a NUL character (code 0)";
  if (BROKEN.test(text)) return "a broken character (bytes that were not valid UTF-8 or UTF-16 text)";
  return null;
}

/** What text a value must be, for messages that refuse one. */
export const STORABLE_TEXT = "text without NUL characters or broken characters";
