import iconv from 'iconv-lite';
import { bomDe } from './signatures';

export type Encodage = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes a text file as people send them: UTF-8 with or without BOM, UTF-16 with its BOM, or
 * Windows-1252 (Excel's "CSV (séparateur : point-virgule)" on a French Windows). Bytes that are not
 * valid UTF-8 are read as Windows-1252, which every byte sequence is.
 */
export function decoderTexte(octets: Uint8Array): { texte: string; encodage: Encodage } {
  const b = Buffer.from(octets.buffer, octets.byteOffset, octets.byteLength);
  const bom = bomDe(b);
  if (bom) return { texte: iconv.decode(b.subarray(bom.longueur), bom.encodage), encodage: bom.encodage };
  try {
    return { texte: utf8Strict.decode(b), encodage: 'utf-8' };
  } catch {
    return { texte: iconv.decode(b, 'windows-1252'), encodage: 'windows-1252' };
  }
}
