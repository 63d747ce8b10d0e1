/**
 * Bpifrance exports for tests, samples and the benchmark: the same logical rows written the ways real
 * files write them (Windows-1252 with `;` and decimal commas, UTF-8 with a BOM and `,`, XLSX with
 * numbers and date cells), with the messy variants of docs/../shared/spec/bpifrance-export.md mixed in.
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

const DISPOSITIF = 'Fonds d’accélération des investissements industriels dans les territoires';

/** A row as it means it: amounts in cents; `brut` overrides a column's text in every format (malformed rows). */
export interface LigneExemple {
  id: string;
  dispositif?: string;
  date: string; // AAAA-MM-JJ
  raison: string;
  siret: string;
  categorie: string;
  naf: string;
  intitule: string;
  commune: string; // as written in the file (a lost zero included)
  nomCommune: string;
  region: string;
  investissement: number;
  aideEtat: number;
  aideRegion: number | null;
  emplois: number | null;
  relocalisation: string;
  formation: string;
  te: string;
  enjeux: string;
  fragile: string;
  brut?: Partial<Record<ColonneExemple, string>>;
  vide?: boolean;
}

export const ENTETES = [
  'Identifiant projet',
  'Dispositif',
  'Date de décision',
  'Raison sociale',
  'SIRET',
  'Catégorie entreprise',
  'Code NAF',
  'Intitulé du projet',
  'Code commune',
  'Commune',
  'Code région',
  'Montant investissement',
  'Aide État',
  'Aide Région',
  'Emplois prévus',
  'Relocalisation',
  'Formation',
  'Transition écologique',
  'Enjeux TE',
  'Territoire fragile',
] as const;
export type ColonneExemple = (typeof ENTETES)[number];

/** The 14th digit that makes 13 digits a valid SIRET (Luhn). */
export function siretDe(debut13: string): string {
  for (let d = 0; d <= 9; d++) {
    const s = `${debut13}${d}`;
    let somme = 0;
    for (let i = 0; i < 14; i++) {
      let c = s.charCodeAt(13 - i) - 48;
      if (i % 2 === 1) {
        c *= 2;
        if (c > 9) c -= 9;
      }
      somme += c;
    }
    if (somme % 10 === 0) return s;
  }
  throw new Error('unreachable');
}

const l = (ligne: Omit<LigneExemple, 'dispositif'> & { dispositif?: string }): LigneExemple => ligne;

const A1 = l({
  id: 'FAIIT-2021-004512',
  date: '2021-03-15',
  raison: 'Forges de Bresse',
  siret: siretDe('5521203420001'),
  categorie: 'PME',
  naf: '25.62B',
  intitule: 'Modernisation de la ligne d’usinage',
  commune: '1053',
  nomCommune: 'Bourg-en-Bresse',
  region: '84',
  investissement: 123_456_789,
  aideEtat: 20_000_000,
  aideRegion: 5_000_000,
  emplois: 12,
  relocalisation: 'Oui',
  formation: 'Non',
  te: 'Oui',
  enjeux: 'Décarbonation, Biosourcé',
  fragile: 'Non',
});
const A2 = l({
  id: 'FAIIT-2021-004513',
  date: '2021-04-02',
  raison: 'Corsica Composites',
  siret: siretDe('8123456780001'),
  categorie: 'ETI',
  naf: '2229A',
  intitule: 'Nouvelle unité de moulage',
  commune: '2A004',
  nomCommune: 'Ajaccio',
  region: '94',
  investissement: 250_000_000,
  aideEtat: 40_000_050,
  aideRegion: null,
  emplois: 30,
  relocalisation: 'non',
  formation: 'OUI',
  te: 'Non',
  enjeux: '',
  fragile: 'Oui',
});
const A3 = l({
  id: 'FAIIT-2021-004514',
  date: '2021-05-20',
  raison: 'Verrerie du Vimeu',
  siret: siretDe('4023456710002'),
  categorie: 'GE',
  naf: '23.13Z',
  intitule: 'Four électrique hybride',
  commune: '76035',
  nomCommune: 'Aumale',
  region: '28',
  investissement: 1_050_000_000,
  aideEtat: 80_000_000,
  aideRegion: 20_000_000,
  emplois: 45,
  relocalisation: 'Non',
  formation: 'Oui',
  te: 'Oui',
  enjeux: 'Hydrogène et énergies vertes|Recyclage et économie circulaire',
  fragile: 'Oui',
});
const A4 = l({
  id: 'FAIIT-2021-004515',
  date: '2021-06-01',
  raison: 'Plasturgie du Haut-Bugey',
  siret: siretDe('3334445550001'),
  categorie: 'TPE',
  naf: '22.29A',
  intitule: 'Recyclage des chutes de production',
  commune: '1011',
  nomCommune: 'Apremont',
  region: '84',
  investissement: 45_000_000,
  aideEtat: 9_000_000,
  aideRegion: 2_500_000,
  emplois: 3,
  relocalisation: 'Non',
  formation: 'Non',
  te: 'Oui',
  enjeux: 'Recyclage et économie circulaire',
  fragile: 'Non',
});
const A5 = l({
  id: 'FAIIT-2021-004516',
  date: '2021-06-15',
  raison: 'Textiles du Nord',
  siret: siretDe('7776665550001'),
  categorie: 'PME',
  naf: '13.20Z',
  intitule: 'Relocalisation du tissage',
  commune: '59350',
  nomCommune: 'Lille',
  region: '11',
  investissement: 310_000_000,
  aideEtat: 60_000_000,
  aideRegion: 15_000_000,
  emplois: 25,
  relocalisation: 'Oui',
  formation: 'Oui',
  te: 'Non',
  enjeux: '',
  fragile: 'Oui',
});
const A6 = l({
  id: 'FAIIT-2021-004517',
  date: '2021-07-01',
  raison: 'Mécanique "Picarde" SAS',
  siret: siretDe('1112223330004'),
  categorie: 'PME',
  naf: '28.41Z',
  intitule: 'Ligne « Vimeu » ; extension, phase "2"\nLot 1 : bâtiment',
  commune: '80001',
  nomCommune: 'Abbeville',
  region: '32',
  investissement: 75_000_000,
  aideEtat: 15_000_000,
  aideRegion: 0,
  emplois: 8,
  relocalisation: 'Non',
  formation: 'Non',
  te: 'Non',
  enjeux: '',
  fragile: 'Oui',
});
const A7 = l({
  id: 'FAIIT-2021-004518',
  date: '2021-07-12',
  raison: 'Colis Industrie (La Poste)',
  siret: '35600000000001',
  categorie: 'GE',
  naf: '53.10Z',
  intitule: 'Plateforme logistique automatisée',
  commune: '69123',
  nomCommune: 'Lyon',
  region: '84',
  investissement: 990_000_000,
  aideEtat: 100_000_000,
  aideRegion: 50_000_000,
  emplois: 120,
  relocalisation: 'Non',
  formation: 'Oui',
  te: 'Oui',
  enjeux: 'Optimisation énergie et ressources',
  fragile: 'Non',
});
const A8 = l({
  id: 'FAIIT-2021-004519',
  date: '2021-08-30',
  raison: 'Champagne Bouchons',
  siret: siretDe('2223334440005'),
  categorie: 'Association',
  naf: '',
  intitule: 'Atelier d’insertion',
  commune: '10016',
  nomCommune: 'Arconville',
  region: '44',
  investissement: 12_000_050,
  aideEtat: 3_000_000,
  aideRegion: 1_000_000,
  emplois: null,
  relocalisation: '',
  formation: 'Oui',
  te: '',
  enjeux: '',
  fragile: 'Oui',
});
const A9 = l({
  id: 'FAIIT-2021-004520',
  date: '2021-09-10',
  raison: 'Paris Électronique',
  siret: siretDe('4445556660007'),
  categorie: 'ETI',
  naf: '26.11Z',
  intitule: 'Salle blanche',
  commune: '75112',
  nomCommune: 'Paris 12e Arrondissement',
  region: '11',
  investissement: 520_000_000,
  aideEtat: 70_000_000,
  aideRegion: 30_000_000,
  emplois: 60,
  relocalisation: 'Oui',
  formation: 'Non',
  te: 'Oui',
  enjeux: 'Décarbonation',
  fragile: 'Non',
});

const VIDE = l({ ...A1, id: '', vide: true });

/**
 * The September export: 18 rows under the header (lines 2 to 19), then two empty rows.
 * Expected on an empty table: 16 non-empty data lines; 9 laureates new; lines 2 and 3 ignored (their
 * ids come again lines 13 and 14) hence unchanged; 5 rejected (lines 8, 9, 10, 11 with two faults, 15).
 */
export const EXPORT_SEPTEMBRE: LigneExemple[] = [
  A1, // 2 (repeated identically line 13)
  A2, // 3 (repeated with another amount line 14)
  A3, // 4
  A4, // 5
  A5, // 6: Code région 11 contradicts Lille (32): warning
  A6, // 7: quotes, separators and a line break in fields
  l({ ...A1, id: 'FAIIT-2021-009001', siret: '55212034200018', brut: { SIRET: '552 120 342 00018' } }), // 8: Luhn
  l({ ...A3, id: 'FAIIT-2021-009002', commune: '99999' }), // 9: unknown commune
  l({ ...A4, id: 'FAIIT-2021-009003', brut: { 'Date de décision': '31/02/2021' } }), // 10: no such day
  l({ ...A5, id: 'FAIIT-2021-009004', raison: '', brut: { 'Montant investissement': '12,3,4' } }), // 11: two faults
  A7, // 12: La Poste's SIRET rule
  A1, // 13: line 2 again (duplicated row)
  l({ ...A2, aideEtat: 41_000_000 }), // 14: line 3's id with another amount: wins
  l({ ...A6, id: 'FAIIT-2021-009005', enjeux: 'Nucléaire', te: 'Oui' }), // 15: unknown stake
  VIDE, // 16: empty row
  A8, // 17: merged commune's old code (10016 → 10174): warning
  A9, // 18: Paris arrondissement → Paris: warning
  VIDE, // 19
];

export const ATTENDU_SEPTEMBRE = {
  lignes: { total: 16, nouvelles: 9, modifiees: 0, inchangees: 2, rejetees: 5 },
  rejets: [
    { ligne: 8, colonne: 'SIRET' },
    { ligne: 9, colonne: 'Code commune' },
    { ligne: 10, colonne: 'Date de décision' },
    { ligne: 11, colonne: 'Raison sociale' },
    { ligne: 11, colonne: 'Montant investissement' },
    { ligne: 15, colonne: 'Enjeux TE' },
  ],
  /** Lines with a warning (the XLSX adds its unknown column, line 1). */
  avertissements: [2, 3, 6, 17, 18],
  laureats: [A1, A2, A3, A4, A5, A6, A7, A8, A9].map((a) => a.id),
};

/**
 * The October export: the same laureates (A3's amount, A5's jobs and A7's commune changed), one new,
 * one malformed row. Expected after September: 1 new, 3 modified, 6 unchanged, 1 rejected.
 */
export const EXPORT_OCTOBRE: LigneExemple[] = [
  A1,
  l({ ...A2, aideEtat: 41_000_000 }),
  l({ ...A3, investissement: 1_100_000_000 }),
  A4,
  l({ ...A5, emplois: 28 }),
  A6,
  l({ ...A7, commune: '76028', nomCommune: 'Aubéguimont', region: '28' }),
  A8,
  A9,
  l({
    ...A4,
    id: 'FAIIT-2021-004600',
    raison: 'Bresle Emballages',
    siret: siretDe('9998887770001'),
    commune: '76035',
    nomCommune: 'Aumale',
    region: '28',
    date: '2021-10-05',
  }),
  l({ ...A5, id: 'FAIIT-2021-009010', brut: { 'Aide État': 'beaucoup' } }),
];

export const ATTENDU_OCTOBRE = {
  lignes: { total: 11, nouvelles: 1, modifiees: 3, inchangees: 6, rejetees: 1 },
  modifies: [A3.id, A5.id, A7.id],
};

// --- Writing the rows -------------------------------------------------------------------------

const groupes = (entier: string, sep: string) => entier.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
const partie = (centimes: number) => ({
  entier: String(Math.trunc(centimes / 100)),
  dec: String(centimes % 100).padStart(2, '0'),
});

/** French writings of an amount, as people and spreadsheets produce them. */
export function montantFr(centimes: number, style: number, narrowNbsp: boolean): string {
  const { entier, dec } = partie(centimes);
  switch (style % 6) {
    case 0:
      return `${groupes(entier, ' ')},${dec}`;
    case 1:
      return `${groupes(entier, '\u00a0')},${dec}`;
    case 2:
      return `${groupes(entier, '.')},${dec}`;
    case 3:
      return `${entier},${dec}`;
    case 4:
      return `${groupes(entier, narrowNbsp ? '\u202f' : ' ')},${dec} €`;
    default:
      return dec === '00' ? entier : `${entier},${dec}`;
  }
}

/** Writings with a decimal point (English-style exports). */
function montantPoint(centimes: number, style: number): string {
  const { entier, dec } = partie(centimes);
  switch (style % 3) {
    case 0:
      return `${entier}.${dec}`;
    case 1:
      return `${groupes(entier, ',')}.${dec}`;
    default:
      return `${entier}.${dec} €`;
  }
}

const dateFr = (iso: string) => iso.split('-').reverse().join('/');

type Cellule = string | number | Date | null;

/** The row's cells in one format; malformed values (`brut`) as written. */
function cellules(ligne: LigneExemple, i: number, format: 'fr' | 'point' | 'xlsx'): Cellule[] {
  if (ligne.vide) return ENTETES.map(() => (format === 'xlsx' ? null : ''));
  const montant = (c: number | null, decale: number): Cellule => {
    if (c === null) return format === 'xlsx' ? null : '';
    if (format === 'xlsx') return (i + decale) % 4 === 3 ? montantFr(c, i + decale, true) : c / 100;
    return format === 'fr' ? montantFr(c, i + decale, false) : montantPoint(c, i + decale);
  };
  const valeurs: Record<ColonneExemple, Cellule> = {
    'Identifiant projet': ligne.id,
    Dispositif: ligne.dispositif ?? DISPOSITIF,
    'Date de décision':
      format === 'xlsx'
        ? new Date(`${ligne.date}T00:00:00Z`)
        : format === 'point' && i % 2 === 0
          ? ligne.date
          : dateFr(ligne.date),
    'Raison sociale': ligne.raison,
    SIRET:
      format === 'fr' && i % 3 === 0
        ? ligne.siret.replace(/^(\d{3})(\d{3})(\d{3})(\d{5})$/, '$1 $2 $3 $4')
        : format === 'xlsx' && i % 2 === 1
          ? Number(ligne.siret)
          : ligne.siret,
    'Catégorie entreprise': ligne.categorie,
    'Code NAF': format === 'point' ? ligne.naf.replace('.', '') : ligne.naf,
    'Intitulé du projet': ligne.intitule,
    'Code commune': format === 'xlsx' && /^\d+$/.test(ligne.commune) ? Number(ligne.commune) : ligne.commune,
    Commune: ligne.nomCommune,
    'Code région': format === 'xlsx' && ligne.region ? Number(ligne.region) : ligne.region,
    'Montant investissement': montant(ligne.investissement, 0),
    'Aide État': montant(ligne.aideEtat, 1),
    'Aide Région': montant(ligne.aideRegion, 2),
    'Emplois prévus':
      ligne.emplois === null
        ? format === 'xlsx'
          ? null
          : ''
        : format === 'xlsx'
          ? ligne.emplois
          : String(ligne.emplois),
    Relocalisation: ligne.relocalisation,
    Formation: ligne.formation,
    'Transition écologique': ligne.te,
    'Enjeux TE': ligne.enjeux,
    'Territoire fragile': ligne.fragile,
  };
  for (const [colonne, texte] of Object.entries(ligne.brut ?? {}))
    valeurs[colonne as ColonneExemple] = texte as string;
  return ENTETES.map((e) => valeurs[e]);
}

function champCsv(valeur: Cellule, separateur: string): string {
  const texte = valeur === null ? '' : valeur instanceof Date ? valeur.toISOString() : String(valeur);
  return texte.includes(separateur) || /["\r\n]/.test(texte) ? `"${texte.replaceAll('"', '""')}"` : texte;
}

export interface OptionsCsv {
  separateur: ';' | ',' | '\t';
  format: 'fr' | 'point';
  encodage: 'windows-1252' | 'utf-8' | 'utf-8-bom';
  finDeLigne: '\r\n' | '\n';
  entetes?: readonly string[];
}

/** CSV text of the rows (header first). */
function texteCsv(lignes: readonly LigneExemple[], o: OptionsCsv): string {
  const entetes = o.entetes ?? ENTETES;
  const corps = lignes.map((ligne, i) =>
    cellules(ligne, i, o.format)
      .map((c) => champCsv(c, o.separateur))
      .join(o.separateur),
  );
  return (
    [entetes.map((e) => champCsv(e, o.separateur)).join(o.separateur), ...corps].join(o.finDeLigne) +
    o.finDeLigne
  );
}

export function encoder(texte: string, encodage: OptionsCsv['encodage']): Buffer {
  if (encodage === 'windows-1252') return iconv.encode(texte, 'windows-1252');
  const utf8 = Buffer.from(texte, 'utf8');
  return encodage === 'utf-8-bom' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]) : utf8;
}

export const csv = (lignes: readonly LigneExemple[], o: OptionsCsv) =>
  encoder(texteCsv(lignes, o), o.encodage);

/** Excel's "CSV (séparateur : point-virgule)" on a French Windows: Windows-1252, `;`, decimal commas, CRLF. */
export const csvWindows1252 = (lignes: readonly LigneExemple[]) =>
  csv(lignes, {
    separateur: ';',
    format: 'fr',
    encodage: 'windows-1252',
    finDeLigne: '\r\n',
    entetes: ENTETES.map((e) =>
      e === 'Montant investissement' ? 'Montant investissement (€)' : e === 'Aide État' ? 'Aide État (€)' : e,
    ),
  });

/** UTF-8 with BOM, `,` separator, LF, snake_case headers, decimal points (or quoted French amounts). */
export const csvUtf8Bom = (lignes: readonly LigneExemple[]) =>
  csv(lignes, {
    separateur: ',',
    format: 'point',
    encodage: 'utf-8-bom',
    finDeLigne: '\n',
    entetes: ENTETES.map((e) =>
      e
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replace(/\s+/g, '_'),
    ),
  });

/** XLSX: upper-case and padded headers, an unknown column, numbers, date cells, codes that lost their zero. */
export async function xlsx(lignes: readonly LigneExemple[]): Promise<Buffer> {
  const classeur = new ExcelJS.Workbook();
  const feuille = classeur.addWorksheet('Lauréats');
  feuille.addRow([
    ...ENTETES.map((e, i) => (i % 2 === 0 ? e.toUpperCase() : ` ${e} `)),
    'Commentaire',
    null,
    null,
  ]);
  lignes.forEach((ligne, i) => {
    const row = feuille.addRow([...cellules(ligne, i, 'xlsx'), ligne.vide ? null : 'vu en comité']);
    row.getCell(3).numFmt = 'dd/mm/yyyy';
  });
  return Buffer.from(await classeur.xlsx.writeBuffer());
}

// --- Large generated exports (benchmark, kill-and-rerun test) -----------------------------------

/** A small deterministic PRNG (mulberry32). */
export function aleatoire(graine: number) {
  let a = graine >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let communesConnues: { code: string; nom: string; departement: string }[] | undefined;
function communes(): { code: string; nom: string; departement: string }[] {
  communesConnues ??= Object.entries(
    JSON.parse(
      readFileSync(
        new URL('../../packages/domain/src/geographie/data/communes.json', import.meta.url),
        'utf8',
      ),
    ).communes as Record<string, [string, string]>,
  ).map(([code, [nom, departement]]) => ({ code, nom, departement }));
  return communesConnues;
}

const SOCIETES = [
  'Forges',
  'Ateliers',
  'Plasturgie',
  'Mécanique',
  'Textiles',
  'Verrerie',
  'Fonderie',
  'Chaudronnerie',
];
const LIEUX = [
  'du Nord',
  'de Bresse',
  'du Vimeu',
  'de l’Ain',
  'de Savoie',
  'd’Alsace',
  'du Jura',
  'de Loire',
];
const PROJETS = [
  'Modernisation de la ligne',
  'Nouvelle unité de production',
  'Robotisation',
  'Four électrique',
];
const ENJEUX = [
  'Hydrogène et énergies vertes',
  'Biosourcé',
  'Optimisation énergie et ressources',
  'Décarbonation',
  'Recyclage et économie circulaire',
];
const CATEGORIES = ['TPE', 'PME', 'PME', 'PME', 'ETI', 'GE', 'Association', ''];

/**
 * `n` realistic rows: sites among `nbCommunes` communes (industrial laureates cluster), codes that
 * lost their zero, Corsica, amounts in every writing (through the CSV writers), about 2 % malformed
 * rows and 1 % duplicated ids. Ids are `<prefixe>-000001`….
 */
export function genererLignes(
  n: number,
  options: { graine?: number; prefixe?: string; nbCommunes?: number; outreMer?: boolean } = {},
): LigneExemple[] {
  const hasard = aleatoire(options.graine ?? 42);
  const choix = <T>(liste: readonly T[]) => liste[Math.floor(hasard() * liste.length)] as T;
  // Without overseas communes when asked: tests sharing a local cloud count on regions left empty.
  const toutes =
    options.outreMer === false ? communes().filter((c) => !c.departement.startsWith('97')) : communes();
  const pool = Array.from({ length: options.nbCommunes ?? 3000 }, () => choix(toutes));
  pool.push(...toutes.filter((c) => c.code.startsWith('2A') || c.code.startsWith('2B')).slice(0, 20));
  const prefixe = options.prefixe ?? 'FAIIT-BENCH';
  const lignes: LigneExemple[] = [];
  for (let i = 1; i <= n; i++) {
    const commune = choix(pool);
    const investissement = Math.round(hasard() * 5_000_000_000) + 100_000;
    const te = hasard() < 0.35;
    const ligne: LigneExemple = {
      id: `${prefixe}-${String(i).padStart(6, '0')}`,
      date: `2021-${String(1 + Math.floor(hasard() * 12)).padStart(2, '0')}-${String(1 + Math.floor(hasard() * 28)).padStart(2, '0')}`,
      raison: `${choix(SOCIETES)} ${choix(LIEUX)} ${i}`,
      siret: siretDe(String(100_000_000_0000 + Math.floor(hasard() * 899_999_999_9999)).slice(0, 13)),
      categorie: choix(CATEGORIES),
      naf: `${String(10 + Math.floor(hasard() * 23))}.${String(Math.floor(hasard() * 99)).padStart(2, '0')}${choix(['A', 'B', 'Z'])}`,
      intitule: `${choix(PROJETS)} n° ${i}`,
      commune: commune.code.startsWith('0') && hasard() < 0.5 ? commune.code.slice(1) : commune.code,
      nomCommune: commune.nom,
      region: '',
      investissement,
      aideEtat: Math.round(investissement * (0.05 + hasard() * 0.15)),
      aideRegion: hasard() < 0.3 ? null : Math.round(investissement * hasard() * 0.05),
      emplois: hasard() < 0.1 ? null : Math.floor(hasard() * 200),
      relocalisation: choix(['Oui', 'Non', 'non', 'NON', '']),
      formation: choix(['Oui', 'Non', '']),
      te: te ? 'Oui' : 'Non',
      enjeux: te ? [...new Set([choix(ENJEUX), choix(ENJEUX)])].join(choix([', ', '|'])) : '',
      fragile: choix(['Oui', 'Non']),
    };
    const r = hasard();
    if (r < 0.005) ligne.brut = { SIRET: ligne.siret.replace(/.$/, (d) => String((Number(d) + 1) % 10)) };
    else if (r < 0.01) ligne.commune = '99999';
    else if (r < 0.015) ligne.brut = { 'Date de décision': '30/02/2021' };
    else if (r < 0.02) ligne.brut = { 'Montant investissement': 'n.c.' };
    else if (r < 0.03 && i > 10)
      ligne.id = `${prefixe}-${String(i - 1 - Math.floor(hasard() * 9)).padStart(6, '0')}`;
    lignes.push(ligne);
  }
  return lignes;
}

/** What ingesting `lignes` into a table that holds none of them gives (later row wins, malformed rows rejected). */
export function attenduPour(lignes: readonly LigneExemple[]) {
  const derniere = new Map<string, number>();
  lignes.forEach((ligne, i) => {
    if (!ligne.vide) derniere.set(ligne.id, i);
  });
  const malforme = (x: LigneExemple) => x.brut !== undefined || x.commune === '99999' || x.raison === '';
  let rejetees = 0;
  let ignorees = 0;
  let nouvelles = 0;
  lignes.forEach((ligne, i) => {
    if (ligne.vide) return;
    if (malforme(ligne)) rejetees += 1;
    else if (derniere.get(ligne.id) !== i) ignorees += 1;
    else nouvelles += 1;
  });
  const total = lignes.filter((x) => !x.vide).length;
  return { total, nouvelles, modifiees: 0, inchangees: ignorees, rejetees };
}
