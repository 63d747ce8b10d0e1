import { isDeepStrictEqual } from 'node:util';

/** Top-level fields that differ between two versions of a submission (whatever the key order), sorted. */
export function champsModifies<T extends object>(avant: T, apres: T): string[] {
  const cles = new Set([...Object.keys(avant), ...Object.keys(apres)]) as Set<keyof T & string>;
  return [...cles].filter((k) => !isDeepStrictEqual(avant[k], apres[k])).sort();
}
