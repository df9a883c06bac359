// Quoting for POSIX shells: remote commands over SSH, QEMU's exec: migration URIs.

/** One word for a POSIX shell, whatever it contains. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
