// Random-access byte sources: the one interface the safetensors reader needs. In-memory bytes,
// Blobs / Files (browser file picker, Node Blob) and HTTP Range requests all fit behind it, so a
// header can be read without fetching the weights.

import { badFile } from './fileErrors.ts';

export interface ByteSource {
  /** File name used in messages ("model.safetensors", "model-00001-of-00002.safetensors"). */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /** Bytes [offset, offset + length). May return fewer bytes only if the file really ends early. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A source over bytes already in memory (no copy; `read` returns views). */
export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.byteLength,
    read: (offset, length) => Promise.resolve(bytes.subarray(offset, Math.min(bytes.byteLength, offset + length))),
  };
}

/** A source over a Blob or File (reads slices lazily). */
export function blobSource(name: string, blob: Blob): ByteSource {
  return {
    name,
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}

/** Reads exactly `length` bytes at `offset`; a short read means the file is truncated (bad-file). */
export async function readExactly(
  source: ByteSource,
  offset: number,
  length: number,
  what: string,
): Promise<Uint8Array> {
  if (offset < 0 || length < 0 || offset + length > source.size) {
    throw badFile(
      source.name,
      `${what} (bytes ${offset}–${offset + length}) lies past the end of the file (${source.size} bytes)`,
    );
  }
  if (length === 0) return new Uint8Array(0);
  const bytes = await source.read(offset, length);
  if (bytes.byteLength !== length) {
    throw badFile(
      source.name,
      `the file ended early while reading ${what}: got ${bytes.byteLength} of ${length} bytes`,
    );
  }
  return bytes;
}
