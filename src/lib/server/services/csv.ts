/**
 * Text typed by people (site and ICB names, identifiers from other systems) ends up in exported files: a cell
 * starting with =, +, -, @, tab or CR would run as a formula when the file is opened in a spreadsheet (OWASP "CSV
 * injection"). A leading ' makes it plain text. For text only: the metrics CSV passes its numbers as they are, so a
 * negative HbA1c change stays a number.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
