/** Why a file could not be read, in a few words ("no such file", "is a directory", …). */
export function whyUnreadable(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
      return 'permission denied';
    default:
      return err.message;
  }
}
