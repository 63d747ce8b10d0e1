import type { Agregat, Agregats, FichierDonneesOuvertes } from '@ti/domain/agregats/schema';
import { enCentimes } from '@ti/domain/commun/montants';
import type { Cellule, Colonne } from '@ti/domain/fiches-action/export';
import { csvFrancais } from '../exports/csv-francais';
import { pageAgregats } from './page';

/** The open-data files' types, as they are stored and served. */
export const TYPES: Record<FichierDonneesOuvertes, string> = {
  'regions.json': 'application/json; charset=utf-8',
  'regions.csv': 'text/csv; charset=utf-8',
  'index.html': 'text/html; charset=utf-8',
};

const COLONNES_ET_VALEURS: [Colonne, (a: Agregat) => Cellule][] = [
  [{ titre: 'Territoires d’industrie', type: 'entier', largeur: 12 }, (a) => a.nbTerritoires],
  [{ titre: 'Fiches-action', type: 'entier', largeur: 12 }, (a) => a.nbFichesAction],
  [{ titre: 'Lauréats', type: 'entier', largeur: 10 }, (a) => a.nbLaureats],
  [
    { titre: 'Lauréats en territoire d’industrie', type: 'entier', largeur: 12 },
    (a) => a.nbLaureatsEnTerritoire,
  ],
  [{ titre: 'Investissement (€)', type: 'montant', largeur: 18 }, (a) => enCentimes(a.investissement)],
  [{ titre: 'Aide État (€)', type: 'montant', largeur: 16 }, (a) => enCentimes(a.aideEtat)],
  [{ titre: 'Aide Région (€)', type: 'montant', largeur: 16 }, (a) => enCentimes(a.aideRegion)],
  [{ titre: 'Aide État + Région (€)', type: 'montant', largeur: 16 }, (a) => enCentimes(a.aideTotale)],
  [{ titre: 'Emplois prévus', type: 'entier', largeur: 10 }, (a) => a.emploisPrevus],
  [{ titre: 'Lauréats TPE', type: 'entier', largeur: 8 }, (a) => a.parTaille.TPE],
  [{ titre: 'Lauréats PME', type: 'entier', largeur: 8 }, (a) => a.parTaille.PME],
  [{ titre: 'Lauréats ETI', type: 'entier', largeur: 8 }, (a) => a.parTaille.ETI],
  [{ titre: 'Lauréats GE', type: 'entier', largeur: 8 }, (a) => a.parTaille.GE],
  [
    { titre: 'Lauréats autres (associations, non renseigné)', type: 'entier', largeur: 8 },
    (a) => a.parTaille.autre,
  ],
  [{ titre: 'Relocalisation : lauréats', type: 'entier', largeur: 8 }, (a) => a.parEnjeu.relocalisation.nb],
  [
    { titre: 'Relocalisation : investissement (€)', type: 'montant', largeur: 18 },
    (a) => enCentimes(a.parEnjeu.relocalisation.investissement),
  ],
  [
    { titre: 'Relocalisation : emplois', type: 'entier', largeur: 8 },
    (a) => a.parEnjeu.relocalisation.emplois,
  ],
  [{ titre: 'Formation : lauréats', type: 'entier', largeur: 8 }, (a) => a.parEnjeu.formation.nb],
  [
    { titre: 'Formation : investissement (€)', type: 'montant', largeur: 18 },
    (a) => enCentimes(a.parEnjeu.formation.investissement),
  ],
  [{ titre: 'Formation : emplois', type: 'entier', largeur: 8 }, (a) => a.parEnjeu.formation.emplois],
  [
    { titre: 'Transition écologique : lauréats', type: 'entier', largeur: 8 },
    (a) => a.parEnjeu.transitionEcologique.nb,
  ],
  [
    { titre: 'Transition écologique : investissement (€)', type: 'montant', largeur: 18 },
    (a) => enCentimes(a.parEnjeu.transitionEcologique.investissement),
  ],
  [
    { titre: 'Transition écologique : emplois', type: 'entier', largeur: 8 },
    (a) => a.parEnjeu.transitionEcologique.emplois,
  ],
  [{ titre: 'Lauréats en territoire fragile', type: 'entier', largeur: 8 }, (a) => a.enTerritoireFragile],
];

export const COLONNES_CSV: Colonne[] = [
  { titre: 'Code région', type: 'texte', largeur: 8 },
  { titre: 'Région', type: 'texte', largeur: 28 },
  ...COLONNES_ET_VALEURS.map(([c]) => c),
  { titre: 'Données au', type: 'instant', largeur: 16 },
];

/** Code of the national row of `regions.csv`. */
export const CODE_NATIONAL = 'FR';

/**
 * `regions.csv`: one row per region, then the national row (code `FR`), in the French Excel
 * convention (UTF-8 with BOM, `;`, decimal comma, CRLF).
 */
export async function csvRegions(agregats: Agregats): Promise<string> {
  const ligne = (code: string, libelle: string, a: Agregat): Cellule[] => [
    code,
    libelle,
    ...COLONNES_ET_VALEURS.map(([, valeur]) => valeur(a)),
    agregats.asOf,
  ];
  async function* lignes() {
    for (const r of agregats.regions) yield ligne(r.code, r.libelle, r);
    yield ligne(CODE_NATIONAL, 'France entière', agregats.national);
  }
  const { flux } = csvFrancais(COLONNES_CSV, lignes());
  const morceaux: Buffer[] = [];
  for await (const morceau of flux) morceaux.push(morceau as Buffer);
  return Buffer.concat(morceaux).toString('utf8');
}

/** The three files, from the aggregates alone (the same aggregates, the same bytes). */
export async function fichiersDonneesOuvertes(
  agregats: Agregats,
): Promise<Record<FichierDonneesOuvertes, { contenu: string; type: string }>> {
  return {
    'regions.json': { contenu: `${JSON.stringify(agregats, null, 2)}\n`, type: TYPES['regions.json'] },
    'regions.csv': { contenu: await csvRegions(agregats), type: TYPES['regions.csv'] },
    'index.html': { contenu: pageAgregats(agregats), type: TYPES['index.html'] },
  };
}
