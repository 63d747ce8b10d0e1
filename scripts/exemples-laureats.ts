/**
 * Writes the sample Bpifrance exports of events/laureats/ (used by the integration tests and the
 * README's examples) from test/support/laureats-exemples.ts: `npx tsx scripts/exemples-laureats.ts`.
 * - export-2021-09-windows1252.csv  Excel's French CSV: Windows-1252, `;`, decimal commas, CRLF
 * - export-2021-09-utf8-bom.csv     the same rows: UTF-8 with BOM, `,`, decimal points, snake_case headers
 * - export-2021-09.xlsx             the same rows: numbers, date cells, codes that lost their zero
 * - export-2021-10.csv              a month later: three laureates changed, one new
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  csvUtf8Bom,
  csvWindows1252,
  EXPORT_OCTOBRE,
  EXPORT_SEPTEMBRE,
  xlsx,
} from '../test/support/laureats-exemples';

const dossier = join(import.meta.dirname, '..', 'events', 'laureats');
mkdirSync(dossier, { recursive: true });
writeFileSync(join(dossier, 'export-2021-09-windows1252.csv'), csvWindows1252(EXPORT_SEPTEMBRE));
writeFileSync(join(dossier, 'export-2021-09-utf8-bom.csv'), csvUtf8Bom(EXPORT_SEPTEMBRE));
writeFileSync(join(dossier, 'export-2021-09.xlsx'), await xlsx(EXPORT_SEPTEMBRE));
writeFileSync(join(dossier, 'export-2021-10.csv'), csvWindows1252(EXPORT_OCTOBRE));
console.log(`Written to ${dossier}`);
