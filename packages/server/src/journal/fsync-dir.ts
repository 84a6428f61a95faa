import { closeSync, fsyncSync, openSync } from 'node:fs';

/** Makes a directory entry change (create, rename) durable. */
export function fsyncDir(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the file's own fsync is the best available then.
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
