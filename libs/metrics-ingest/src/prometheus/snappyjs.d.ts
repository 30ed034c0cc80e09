// snappyjs ships no types; these are the two functions it exports (block format, not framed).
declare module 'snappyjs' {
  export function uncompress(compressed: Buffer, maxLength?: number): Buffer;
  export function compress(uncompressed: Buffer): Buffer;
}
