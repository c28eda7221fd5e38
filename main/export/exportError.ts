// The error of an export request the user can fix (an unknown format, an option that does not fit the
// format, a picture too large): the CLI prints its message and exits 2.

export class ExportError extends Error {
  override readonly name = 'ExportError';
}
