// Text from a grants file, a suite or an input is shown in terminals and CI logs: a control
// character in a name (ESC, CR, NUL …) would be acted on there (colors, a rewritten line, a
// cleared screen) instead of shown. Human output passes such text through `printable`.

// C0 controls, DEL and C1 controls; a tab stays, it only moves the cursor forward.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/** U+2400…U+241F and U+2421 picture C0 controls and DEL; C1 controls have no picture. */
function pictureOf(character: string): string {
  const code = character.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  return code === 0x7f ? '\u2421' : '\uFFFD';
}

/**
 * `text` with each control character replaced by one visible character (␛ for ESC, ␊ for a
 * newline), so columns in a code frame stay where they were.
 */
export function printable(text: string): string {
  return text.replace(CONTROL_CHARACTERS, pictureOf);
}
