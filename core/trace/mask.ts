// Hides passwords in recorded command lines unless the user opted in (design.md: PASS ****).

export function maskCommandLine(line: string, reveal: boolean): string {
  if (reveal) return line;
  return /^pass(\s|$)/i.test(line) ? 'PASS ****' : line;
}
