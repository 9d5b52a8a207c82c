/**
 * Text from outside (justifications, reasons, refs) on its way to a person or a log line.
 * Bidirectional overrides and isolates can make an approver read something other than what was
 * stored; control characters can forge log lines.
 */

// U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, U+200E/U+200F marks, U+061C.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;
const BIDI_CONTROL_G = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/gu;

/** What no free-text field accepts: control characters other than tab and newline, and bidi controls. */
export function unsafeCharacterOf(text: string): string | undefined {
  for (const ch of text) {
    if (ch === '\n' || ch === '\t') {
      continue;
    }
    if (/\p{Cc}/u.test(ch) || BIDI_CONTROL.test(ch)) {
      return `U+${ch
        .codePointAt(0)!
        .toString(16)
        .toUpperCase()
        .padStart(4, '0')}`;
    }
  }
  return undefined;
}

// Characters that show nothing: format characters (zero-width spaces and joiners), marks alone,
// separators, and the Hangul and Braille blanks.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}\p{M}\s\u115F\u1160\u3164\uFFA0\u2800]/u;

/** How many characters of `text` a reader sees (code points that are not blank or invisible). */
export function visibleLength(text: string): number {
  let n = 0;
  for (const ch of text) {
    if (!INVISIBLE.test(ch)) {
      n++;
    }
  }
  return n;
}

/**
 * Stored text as it may be shown: bidi controls and control characters other than tab and newline
 * are replaced by their escape (`\u202E`), so an approver reads what was typed, not a reordering.
 */
export function escapeForDisplay(text: string): string;
export function escapeForDisplay(text: string | undefined): string | undefined;
export function escapeForDisplay(text: string | undefined): string | undefined {
  if (text === undefined || !unsafeCharacterOf(text)) {
    return text;
  }
  return text
    .replace(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g,
      c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
    .replace(
      BIDI_CONTROL_G,
      c => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
    );
}

/**
 * Outside input for a log line or an error message: every control, format and bidi character
 * escaped (newlines too, so one entry stays one line), cut to `max` characters with the count left out.
 */
export function forLog(text: unknown, max = 200): string {
  const s = String(text);
  const chars = Array.from(s);
  const kept = chars.slice(0, max).join('');
  const escaped = kept.replace(
    /[\p{Cc}\p{Cf}\u2028\u2029]/gu,
    c => `\\u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
  );
  return chars.length > max
    ? `${escaped}… (${chars.length - max} more characters)`
    : escaped;
}

/** An error as the auditor records it: the message escaped and cut (it may quote input), no stack. */
export function auditedError(error: unknown): Error {
  const e = error as { name?: string; message?: string };
  const out = new Error(forLog(e?.message ?? String(error), 300));
  out.name = e?.name ?? 'Error';
  delete out.stack;
  return out;
}
