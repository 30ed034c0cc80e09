/**
 * An element of a typed array at an index the caller's loop keeps below its length. With
 * `noUncheckedIndexedAccess` every element read is `number | undefined`; the hot loops of the
 * write path read millions of them, so the bound is asserted here, once, rather than checked.
 */
export function at(array: Float64Array | Int32Array, index: number): number {
  return array[index] as number;
}
