import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataEnd } from '../../src/journal/segment-file.js';

const dir = mkdtempSync(join(tmpdir(), 'bsbx-segment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** dataEnd of a file of `size` zero bytes with the given bytes set to 1, from `from`. */
function endOf(size: number, ones: number[], from: number): number {
  const bytes = Buffer.alloc(size);
  for (const at of ones) bytes[at] = 1;
  const path = join(dir, 'f');
  writeFileSync(path, bytes);
  const fd = openSync(path, 'r');
  try {
    return dataEnd(fd, from, size);
  } finally {
    closeSync(fd);
  }
}

describe('dataEnd: where the non-zero bytes of a segment end', () => {
  const MiB = 1 << 20;
  it('is `from` over zeros only, or an empty range', () => {
    expect(endOf(3 * MiB, [5], 10)).toBe(10);
    expect(endOf(100, [99], 100)).toBe(100);
  });
  it('is just after the last non-zero byte, in any read chunk', () => {
    expect(endOf(3 * MiB, [10, 20], 8)).toBe(21); // two reads of zeros before it
    expect(endOf(3 * MiB, [10, 3 * MiB - 1], 8)).toBe(3 * MiB);
    expect(endOf(2 * MiB + 7, [MiB + 6], 0)).toBe(MiB + 7); // at a chunk's edge
    expect(endOf(2 * MiB + 7, [7], 7)).toBe(8);
  });
});
