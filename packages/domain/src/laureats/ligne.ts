import { hash } from 'node:crypto';
import { siretValide } from '../commun/identifiants';
import { centimesDepuisTexte, MONTANT_MAX } from '../commun/montants';
import { retrouverCommune } from '../geographie/communes';
import { CHAMPS_LAUREAT } from './champs';
import { type Champ, COLONNES } from './colonnes';
import { CATEGORIES, type Categorie, ENJEUX_TE, type EnjeuTE } from './schema';

/** A cell as the file readers hand it over: text for CSV; number, date or boolean from an XLSX cell. */
export type CelluleLue = string | number | boolean | Date | null | undefined;

/** A laureate as stored: amounts in integer cents, codes normalised, derived geography included. */
export interface DonneesLaureat {
  identifiantProjet: string;
  dispositif: string;
  dateDecision: string;
  raisonSociale: string;
  siret: string;
  categorie: Categorie | null;
  codeNaf: string | null;
  intitule: string;
  codeCommune: string;
  codeRegion: string;
  territoires: string[];
  investissementCentimes: number;
  aideEtatCentimes: number;
  aideRegionCentimes: number;
  emploisPrevus: number;
  relocalisation: boolean;
  formation: boolean;
  transitionEcologique: boolean;
  enjeuxTE: EnjeuTE[];
  territoireFragile: boolean;
}

export { CHAMPS_LAUREAT };

/** What a row gives before the territories are known (they come from the registry, by commune). */
export type DonneesLigne = Omit<DonneesLaureat, 'territoires'>;

export interface ProblemeLigne {
  /** The column's header as the contract writes it. */
  colonne?: string;
  motif: string;
}

export type LigneLue =
  | { numero: number; valide: true; donnees: DonneesLigne; avertissements: string[] }
  | { numero: number; valide: false; rejets: ProblemeLigne[] };

type Resultat<T> = { ok: true; valeur: T } | { ok: false; motif: string };
const ok = <T>(valeur: T): Resultat<T> => ({ ok: true, valeur });
const ko = (motif: string): Resultat<never> => ({ ok: false, motif });

/** A value quoted in a message, cut so that a runaway cell does not flood the report. */
const cite = (texte: string) => `« ${texte.length > 60 ? `${texte.slice(0, 57)}…` : texte} »`;

/** `2021-11-23T00:00:00Z` → `2021-11-23` (a date cell is midnight UTC; a second of float error is forgiven). */
const jourUtc = (date: Date) => new Date(date.getTime() + 1000).toISOString().slice(0, 10);

/** Text of a cell: trimmed (normal, non-breaking and narrow non-breaking spaces alike). */
export function texteDe(cellule: CelluleLue): string {
  if (cellule === null || cellule === undefined) return '';
  if (typeof cellule === 'string') return cellule.trim();
  if (typeof cellule === 'number') return String(cellule);
  if (typeof cellule === 'boolean') return cellule ? 'Oui' : 'Non';
  return Number.isNaN(cellule.getTime()) ? '' : jourUtc(cellule);
}

/** Text with accents and case folded, for comparing words (`Décarbonation` = `decarbonation`). */
const plie = (texte: string) =>
  texte
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

const JOURS_DU_MOIS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const deux = (n: number) => (n < 10 ? `0${n}` : String(n));

function dateValide(annee: number, mois: number, jour: number): string | undefined {
  if (annee < 1990 || annee > 2100 || mois < 1 || mois > 12 || jour < 1) return undefined;
  const bissextile = annee % 4 === 0 && (annee % 100 !== 0 || annee % 400 === 0);
  if (jour > (mois === 2 && bissextile ? 29 : (JOURS_DU_MOIS[mois - 1] as number))) return undefined;
  return `${annee}-${deux(mois)}-${deux(jour)}`;
}

/**
 * Results for cell texts that come back row after row (dates, flags, stakes, communes): computed once
 * per distinct text. Bounded: emptied when full.
 */
function memoire<T>(taille: number, calcul: (texte: string) => T): (texte: string) => T {
  const vus = new Map<string, T>();
  return (texte) => {
    let r = vus.get(texte);
    if (r === undefined) {
      r = calcul(texte);
      if (vus.size >= taille) vus.clear();
      vus.set(texte, r);
    }
    return r;
  };
}

const DATE_FR = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;
const DATE_ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
/** Excel's day 0 (its serial dates count from 1899-12-30 once its 1900 leap-year bug is accounted for). */
const EPOQUE_EXCEL = Date.UTC(1899, 11, 30);

/** `JJ/MM/AAAA`, `AAAA-MM-JJ`, an Excel date cell, or an Excel serial day number. */
export function lireDate(cellule: CelluleLue): Resultat<string> {
  if (cellule instanceof Date) {
    return Number.isNaN(cellule.getTime()) ? ko('Date illisible') : ok(jourUtc(cellule));
  }
  if (typeof cellule === 'number') {
    const date = Number.isFinite(cellule)
      ? new Date(EPOQUE_EXCEL + Math.floor(cellule) * 86_400_000)
      : undefined;
    const jour = date
      ? dateValide(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())
      : undefined;
    return jour ? ok(jour) : ko(`Date illisible ${cite(String(cellule))} (attendu : JJ/MM/AAAA)`);
  }
  return dateDeTexte(texteDe(cellule));
}

const dateDeTexte = memoire(20_000, (texte: string): Resultat<string> => {
  if (texte === '') return ko('Date manquante (attendu : JJ/MM/AAAA)');
  const fr = DATE_FR.exec(texte);
  const iso = fr ? undefined : DATE_ISO.exec(texte);
  const jour = fr
    ? dateValide(Number(fr[3]), Number(fr[2]), Number(fr[1]))
    : iso
      ? dateValide(Number(iso[1]), Number(iso[2]), Number(iso[3]))
      : undefined;
  return jour ? ok(jour) : ko(`Date invalide ${cite(texte)} (attendu : JJ/MM/AAAA)`);
});

/** Euros → integer cents, from text in any of the files' writings or from an XLSX number. */
export function lireMontant(cellule: CelluleLue, obligatoire: boolean): Resultat<number> {
  let centimes: number | undefined;
  if (typeof cellule === 'number') {
    const exact = cellule * 100;
    centimes = Math.round(exact);
    // An XLSX number is a double: 1234.56 is stored as 1234.5599999…; more than 2 decimals is refused.
    if (!Number.isFinite(exact) || Math.abs(exact - centimes) > 1e-6 + Math.abs(exact) * 1e-12) {
      return ko(`Montant ${cite(String(cellule))} : au plus 2 décimales (centimes)`);
    }
  } else {
    const texte = texteDe(cellule);
    if (texte === '') return obligatoire ? ko('Montant manquant') : ok(0);
    if (/\d[.,]\d+E[+-]?\d+$/i.test(texte)) {
      return ko(`Montant ${cite(texte)} en notation scientifique : la valeur exacte est perdue`);
    }
    centimes = centimesDepuisTexte(texte);
    if (centimes === undefined) {
      return ko(`Montant illisible ${cite(texte)} (attendu : euros, ex. 1 234 567,89)`);
    }
  }
  if (centimes < 0) return ko('Le montant ne peut pas être négatif');
  if (centimes > MONTANT_MAX * 100) return ko('Montant hors limites');
  return ok(centimes);
}

/** 14 digits, spaces allowed, the leading zero a spreadsheet dropped restored; Luhn (La Poste's rule for its own). */
export function lireSiret(cellule: CelluleLue): Resultat<string> {
  const texte = texteDe(cellule);
  if (texte === '') return ko('SIRET manquant');
  if (/E\+?\d+$/i.test(texte)) return ko(`SIRET ${cite(texte)} en notation scientifique : chiffres perdus`);
  const chiffres = /^\d{14}$/.test(texte) ? texte : texte.replace(/[\s.]/g, '');
  if (/^\d{13}$/.test(chiffres) && siretValide(`0${chiffres}`)) return ok(`0${chiffres}`);
  if (!/^\d{14}$/.test(chiffres)) return ko(`Le SIRET compte 14 chiffres (lu ${cite(texte)})`);
  if (!siretValide(chiffres)) return ko(`SIRET ${chiffres} invalide (clé de contrôle)`);
  return ok(chiffres);
}

const VRAI = new Set(['oui', 'o', 'yes', 'y', 'vrai', 'true', '1', 'x']);
const FAUX = new Set(['non', 'n', 'no', 'faux', 'false', '0', '']);

/** `Oui`/`Non` in any case; empty is `Non`. */
const OUI: Resultat<boolean> = ok(true);
const NON: Resultat<boolean> = ok(false);
const ouiNonDeTexte = memoire(1_000, (texte: string): Resultat<boolean> => {
  const mot = plie(texte);
  if (VRAI.has(mot)) return OUI;
  if (FAUX.has(mot)) return NON;
  return ko(`Oui ou Non attendu (lu ${cite(texte)})`);
});

/** `Oui`/`Non` in any case; empty is `Non`. */
export function lireOuiNon(cellule: CelluleLue): Resultat<boolean> {
  if (typeof cellule === 'boolean') return cellule ? OUI : NON;
  const texte = texteDe(cellule);
  // The writings of nearly every row, before the general (memoised) reading.
  if (texte === 'Oui') return OUI;
  if (texte === 'Non' || texte === '') return NON;
  return ouiNonDeTexte(texte);
}

const ENJEUX_PAR_CLE = new Map<string, EnjeuTE>([
  ...ENJEUX_TE.map((e) => [plie(e), e] as const),
  ['hydrogene', 'Hydrogène et énergies vertes'],
  ['hydrogene energies vertes', 'Hydrogène et énergies vertes'],
  ['energies vertes', 'Hydrogène et énergies vertes'],
  ['biosource', 'Biosourcé'],
  ['biosources', 'Biosourcé'],
  ['optimisation energie ressources', 'Optimisation énergie et ressources'],
  ['optimisation energie et des ressources', 'Optimisation énergie et ressources'],
  ['decarbonation', 'Décarbonation'],
  ['recyclage', 'Recyclage et économie circulaire'],
  ['economie circulaire', 'Recyclage et économie circulaire'],
  ['recyclage economie circulaire', 'Recyclage et économie circulaire'],
]);

/** Sub-stakes separated by `,`, `|` or `;`, each one of the five; kept in the contract's order, once. */
export function lireEnjeux(cellule: CelluleLue): Resultat<EnjeuTE[]> {
  return enjeuxDeTexte(texteDe(cellule));
}

const enjeuxDeTexte = memoire(1_000, (texte: string): Resultat<EnjeuTE[]> => {
  if (texte === '') return ok([]);
  const trouves = new Set<EnjeuTE>();
  for (const morceau of texte.split(/[,|;\n]/)) {
    const cle = plie(morceau);
    if (cle === '') continue;
    const enjeu = ENJEUX_PAR_CLE.get(cle);
    if (!enjeu) return ko(`Enjeu inconnu ${cite(morceau.trim())} (attendus : ${ENJEUX_TE.join(', ')})`);
    trouves.add(enjeu);
  }
  return ok(ENJEUX_TE.filter((e) => trouves.has(e)));
});

const CATEGORIES_PAR_CLE = new Map<string, Categorie>([
  ...CATEGORIES.map((c) => [plie(c), c] as const),
  ['tres petite entreprise', 'TPE'],
  ['microentreprise', 'TPE'],
  ['micro entreprise', 'TPE'],
  ['petite moyenne entreprise', 'PME'],
  ['petite et moyenne entreprise', 'PME'],
  ['entreprise taille intermediaire', 'ETI'],
  ['entreprise de taille intermediaire', 'ETI'],
  ['grande entreprise', 'GE'],
  ['grandes entreprises', 'GE'],
  ['asso', 'Association'],
]);

const CATEGORIES_EXACTES = new Map<string, Resultat<Categorie | null>>(CATEGORIES.map((c) => [c, ok(c)]));

export function lireCategorie(cellule: CelluleLue): Resultat<Categorie | null> {
  const texte = texteDe(cellule);
  return CATEGORIES_EXACTES.get(texte) ?? categorieDeTexte(texte);
}

const categorieDeTexte = memoire(1_000, (texte: string): Resultat<Categorie | null> => {
  if (texte === '') return ok(null);
  const categorie = CATEGORIES_PAR_CLE.get(plie(texte));
  return categorie
    ? ok(categorie)
    : ko(`Catégorie inconnue ${cite(texte)} (attendu : ${CATEGORIES.join(', ')})`);
});

/** `25.62B` or `2562B` → `25.62B`. */
export function lireNaf(cellule: CelluleLue): Resultat<string | null> {
  return nafDeTexte(texteDe(cellule));
}

const nafDeTexte = memoire(5_000, (texte: string): Resultat<string | null> => {
  if (texte === '') return ok(null);
  const m = /^(\d{2})\.?(\d{2})([A-Za-z])$/.exec(texte.replace(/\s/g, ''));
  return m
    ? ok(`${m[1]}.${m[2]}${(m[3] as string).toUpperCase()}`)
    : ko(`Code NAF invalide ${cite(texte)} (ex. 25.62B)`);
});

/** A non-negative integer; empty is 0. */
export function lireEntier(cellule: CelluleLue): Resultat<number> {
  if (typeof cellule === 'number') {
    return Number.isInteger(cellule) && cellule >= 0
      ? ok(cellule)
      : ko(`Nombre entier positif attendu (lu ${cite(String(cellule))})`);
  }
  const texte = texteDe(cellule);
  if (texte === '') return ok(0);
  if (/^\d{1,9}$/.test(texte)) return ok(Number(texte));
  const m = /^(\d{1,9})(?:[.,]0+)?$/.exec(texte.replace(/[\s\u00a0\u202f]/g, ''));
  return m ? ok(Number(m[1])) : ko(`Nombre entier positif attendu (lu ${cite(texte)})`);
}

const IDENTIFIANT = /^[A-Z0-9][A-Z0-9._/-]{0,63}$/;

/** Bpifrance's project id, the upsert key: trimmed, in capitals. */
export function lireIdentifiant(cellule: CelluleLue): Resultat<string> {
  const texte = texteDe(cellule).toUpperCase();
  if (texte === '') return ko('Identifiant projet manquant');
  return IDENTIFIANT.test(texte)
    ? ok(texte)
    : ko(`Identifiant projet invalide ${cite(texte)} (lettres, chiffres, « - », « _ », « . », « / »)`);
}

function lireTexte(cellule: CelluleLue, max: number): Resultat<string> {
  const texte = texteDe(cellule);
  if (texte === '') return ko('Valeur manquante');
  if (texte.length > max) return ko(`Texte trop long (${texte.length} caractères, ${max} au plus)`);
  return ok(texte);
}

/** What a commune code, as files write it, gives: the current commune and the warning it deserves. */
type CommuneLue = { code: string; region: string; avertissement?: string } | { motif: string };

const communeDeTexte = memoire(50_000, (brut: string): CommuneLue => {
  if (brut === '') return { motif: 'Code commune manquant' };
  const trouvee = retrouverCommune(brut);
  if (!trouvee?.commune.region) {
    return { motif: `Code commune ${cite(brut)} inconnu de la géographie officielle` };
  }
  const { code, nom, region } = trouvee.commune;
  if (trouvee.correction === 'ancien_code') {
    return {
      code,
      region,
      avertissement: `Code commune ${brut} : commune fusionnée, rattachée à ${code} (${nom})`,
    };
  }
  if (trouvee.correction === 'arrondissement') {
    return {
      code,
      region,
      avertissement: `Code commune ${brut} : arrondissement municipal, rattaché à ${code} (${nom})`,
    };
  }
  return { code, region };
});

const cel = (cellules: readonly CelluleLue[], i: number | undefined): CelluleLue =>
  i === undefined ? undefined : cellules[i];

function valeur<T>(rejets: ProblemeLigne[], champ: Champ, resultat: Resultat<T>, defaut: T): T {
  if (resultat.ok) return resultat.valeur;
  rejets.push({ colonne: COLONNES[champ].entete, motif: resultat.motif });
  return defaut;
}

/**
 * Reads one data row of the export: every column is checked and each fault named (a rejected row
 * says all that is wrong with it). The region follows from the commune; a `Code région` that
 * contradicts it is a warning, the commune's is kept.
 */
export function lireLigne(
  numero: number,
  cellules: readonly CelluleLue[],
  indices: Partial<Record<Champ, number>>,
): LigneLue {
  const c = cellules;
  const i = indices;
  const r: ProblemeLigne[] = [];
  const identifiantProjet = valeur(r, 'identifiantProjet', lireIdentifiant(cel(c, i.identifiantProjet)), '');
  const dispositif = valeur(r, 'dispositif', lireTexte(cel(c, i.dispositif), 300), '');
  const dateDecision = valeur(r, 'dateDecision', lireDate(cel(c, i.dateDecision)), '');
  const raisonSociale = valeur(r, 'raisonSociale', lireTexte(cel(c, i.raisonSociale), 300), '');
  const siret = valeur(r, 'siret', lireSiret(cel(c, i.siret)), '');
  const categorie = valeur(r, 'categorie', lireCategorie(cel(c, i.categorie)), null);
  const codeNaf = valeur(r, 'codeNaf', lireNaf(cel(c, i.codeNaf)), null);
  const intitule = valeur(r, 'intitule', lireTexte(cel(c, i.intitule), 2000), '');
  const investissementCentimes = valeur(r, 'investissement', lireMontant(cel(c, i.investissement), true), 0);
  const aideEtatCentimes = valeur(r, 'aideEtat', lireMontant(cel(c, i.aideEtat), true), 0);
  const aideRegionCentimes = valeur(r, 'aideRegion', lireMontant(cel(c, i.aideRegion), false), 0);
  const emploisPrevus = valeur(r, 'emploisPrevus', lireEntier(cel(c, i.emploisPrevus)), 0);
  const relocalisation = valeur(r, 'relocalisation', lireOuiNon(cel(c, i.relocalisation)), false);
  const formation = valeur(r, 'formation', lireOuiNon(cel(c, i.formation)), false);
  const transitionEcologique = valeur(
    r,
    'transitionEcologique',
    lireOuiNon(cel(c, i.transitionEcologique)),
    false,
  );
  const enjeuxTE = valeur(r, 'enjeuxTE', lireEnjeux(cel(c, i.enjeuxTE)), []);
  const territoireFragile = valeur(r, 'territoireFragile', lireOuiNon(cel(c, i.territoireFragile)), false);

  const avertissements: string[] = [];
  const commune = communeDeTexte(texteDe(cel(c, i.codeCommune)));
  let codeCommune = '';
  let codeRegion = '';
  if ('motif' in commune) r.push({ colonne: COLONNES.codeCommune.entete, motif: commune.motif });
  else {
    codeCommune = commune.code;
    codeRegion = commune.region;
    if (commune.avertissement) avertissements.push(commune.avertissement);
    const regionLue = texteDe(cel(c, i.codeRegion));
    if (regionLue !== '' && regionLue !== codeRegion && `0${regionLue}` !== codeRegion) {
      avertissements.push(
        `Code région ${regionLue} contredit la commune ${codeCommune} (région ${codeRegion}) : ${codeRegion} retenu`,
      );
    }
  }

  if (r.length > 0) return { numero, valide: false, rejets: r };
  if (aideEtatCentimes + aideRegionCentimes > investissementCentimes) {
    avertissements.push('Les aides de l’État et de la Région dépassent le montant de l’investissement');
  }
  if (!transitionEcologique && enjeuxTE.length > 0) {
    avertissements.push('Enjeux TE renseignés alors que Transition écologique vaut Non');
  }
  return {
    numero,
    valide: true,
    avertissements,
    donnees: {
      identifiantProjet,
      dispositif,
      dateDecision,
      raisonSociale,
      siret,
      categorie,
      codeNaf,
      intitule,
      codeCommune,
      codeRegion,
      investissementCentimes,
      aideEtatCentimes,
      aideRegionCentimes,
      emploisPrevus,
      relocalisation,
      formation,
      transitionEcologique,
      enjeuxTE,
      territoireFragile,
    },
  };
}

/**
 * The content hash of a laureate as stored (derived geography included, the import that wrote it
 * excluded): equal hashes, nothing to write.
 */
export function empreinteDe(d: DonneesLaureat): string {
  const contenu = JSON.stringify(CHAMPS_LAUREAT.map((champ) => d[champ]));
  return hash('sha256', contenu, 'base64url').slice(0, 22);
}
