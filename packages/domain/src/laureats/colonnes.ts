import { normaliserColonne } from '../commun/tableau';

/** The fields of a row of Bpifrance's export, in the contract's column order. */
export const CHAMPS = [
  'identifiantProjet',
  'dispositif',
  'dateDecision',
  'raisonSociale',
  'siret',
  'categorie',
  'codeNaf',
  'intitule',
  'codeCommune',
  'commune',
  'codeRegion',
  'investissement',
  'aideEtat',
  'aideRegion',
  'emploisPrevus',
  'relocalisation',
  'formation',
  'transitionEcologique',
  'enjeuxTE',
  'territoireFragile',
] as const;
export type Champ = (typeof CHAMPS)[number];

interface DefinitionColonne {
  /** The header as Bpifrance writes it (and as reports name the column). */
  entete: string;
  obligatoire: boolean;
  /** Other names seen for it, written as people do; compared after `cleEntete`. */
  alias?: string[];
}

export const COLONNES: Record<Champ, DefinitionColonne> = {
  identifiantProjet: { entete: 'Identifiant projet', obligatoire: true, alias: ['Id projet', 'Identifiant'] },
  dispositif: { entete: 'Dispositif', obligatoire: true, alias: ['Mesure'] },
  dateDecision: { entete: 'Date de décision', obligatoire: true, alias: ['Date décision'] },
  raisonSociale: { entete: 'Raison sociale', obligatoire: true, alias: ['Entreprise', 'Bénéficiaire'] },
  siret: { entete: 'SIRET', obligatoire: true, alias: ['N° SIRET', 'Numéro SIRET'] },
  categorie: {
    entete: 'Catégorie entreprise',
    obligatoire: false,
    alias: ['Catégorie', 'Taille entreprise'],
  },
  codeNaf: { entete: 'Code NAF', obligatoire: false, alias: ['NAF', 'Code APE'] },
  intitule: { entete: 'Intitulé du projet', obligatoire: true, alias: ['Intitulé', 'Projet'] },
  codeCommune: { entete: 'Code commune', obligatoire: true, alias: ['Code INSEE', 'Code INSEE commune'] },
  commune: { entete: 'Commune', obligatoire: false, alias: ['Nom commune', 'Libellé commune'] },
  codeRegion: { entete: 'Code région', obligatoire: false },
  investissement: {
    entete: 'Montant investissement',
    obligatoire: true,
    alias: ['Investissement', 'Montant de l’investissement', 'Montant total investissement'],
  },
  aideEtat: { entete: 'Aide État', obligatoire: true, alias: ['Montant aide État', 'Aide de l’État'] },
  aideRegion: {
    entete: 'Aide Région',
    obligatoire: false,
    alias: ['Montant aide Région', 'Aide de la Région'],
  },
  emploisPrevus: {
    entete: 'Emplois prévus',
    obligatoire: false,
    alias: ['Emplois', 'Nombre d’emplois prévus'],
  },
  relocalisation: { entete: 'Relocalisation', obligatoire: false },
  formation: { entete: 'Formation', obligatoire: false },
  transitionEcologique: { entete: 'Transition écologique', obligatoire: false, alias: ['TE'] },
  enjeuxTE: {
    entete: 'Enjeux TE',
    obligatoire: false,
    alias: ['Enjeux transition écologique', 'Sous-enjeux TE'],
  },
  territoireFragile: { entete: 'Territoire fragile', obligatoire: false },
};

export const COLONNES_OBLIGATOIRES = CHAMPS.filter((c) => COLONNES[c].obligatoire);

const MOTS_VIDES = new Set(['de', 'du', 'des', 'd', 'la', 'le', 'les', 'l', 'en', 'n', 'no']);

/**
 * How a header compares, whatever the case, accents, surrounding spaces, separators (`_`, `-`, `.`)
 * and unit suffix (`(€)`, `en euros`, `EUR`): `Montant investissement (€)`, `MONTANT INVESTISSEMENT`
 * and `montant_investissement` all give `montant investissement`. A column in k€ matches nothing
 * (its amounts would be read a thousand times too small).
 */
export function cleEntete(entete: string): string {
  const nom = normaliserColonne(entete);
  const enMilliers = /(^|[^a-z])k ?(€|eur)|milliers/.test(nom);
  const cle = nom
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\([^)]*\)|\[[^\]]*\]/g, ' ')
    .replace(/[’'`°]/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((mot) => mot !== '' && !MOTS_VIDES.has(mot))
    .join(' ')
    .replace(/ (euros?|eur)$/, '');
  return enMilliers ? `${cle} keur` : cle;
}

const PAR_CLE: Map<string, Champ> = new Map(
  CHAMPS.flatMap((champ) =>
    [COLONNES[champ].entete, ...(COLONNES[champ].alias ?? [])].map((nom) => [cleEntete(nom), champ] as const),
  ),
);

export interface EnteteAssocie {
  /** Position of each known field's column in the row; absent when the file lacks it. */
  indices: Partial<Record<Champ, number>>;
  /** Required columns the file lacks, by their contract header. */
  manquantes: string[];
  /** Headers of columns that match no field (ignored). */
  ignorees: string[];
  /** A field given by two columns: the first is read. */
  doublons: { champ: Champ; entete: string }[];
}

/** Maps the header row of a file onto the contract's fields. */
export function associerEntete(entete: readonly string[]): EnteteAssocie {
  const indices: Partial<Record<Champ, number>> = {};
  const ignorees: string[] = [];
  const doublons: EnteteAssocie['doublons'] = [];
  entete.forEach((brut, i) => {
    const cle = cleEntete(brut);
    if (cle === '') return;
    const champ = PAR_CLE.get(cle);
    if (!champ) ignorees.push(brut.trim());
    else if (indices[champ] !== undefined) doublons.push({ champ, entete: brut.trim() });
    else indices[champ] = i;
  });
  const manquantes = COLONNES_OBLIGATOIRES.filter((c) => indices[c] === undefined).map(
    (c) => COLONNES[c].entete,
  );
  return { indices, manquantes, ignorees, doublons };
}
