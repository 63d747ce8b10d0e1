import type { Encodage } from './texte';

/** What a file's first bytes say of it, whatever its name or content type. */

/** XLSX's media type. */
export const TYPE_XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** XLSX is a ZIP archive: it starts with `PK\x03\x04`. */
export const estXlsx = (debut: Uint8Array) =>
  debut[0] === 0x50 && debut[1] === 0x4b && debut[2] === 0x03 && debut[3] === 0x04;

/** The encoding a byte order mark announces (UTF-8, UTF-16) and the mark's length; undefined without one. */
export function bomDe(debut: Uint8Array): { encodage: Encodage; longueur: number } | undefined {
  if (debut[0] === 0xef && debut[1] === 0xbb && debut[2] === 0xbf) return { encodage: 'utf-8', longueur: 3 };
  if (debut[0] === 0xff && debut[1] === 0xfe) return { encodage: 'utf-16le', longueur: 2 };
  if (debut[0] === 0xfe && debut[1] === 0xff) return { encodage: 'utf-16be', longueur: 2 };
  return undefined;
}
