// Shortening people's text without cutting a character in half: slicing UTF-16 units can split an
// emoji's surrogate pair, which SQLite then stores as replacement characters.

/**
 * At most `max` UTF-16 units of `text` (the unit every length limit here counts in), never ending
 * in half a surrogate pair.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
