import type { Horloge } from '../candidatures/ports';
import { exigerNational, type Operateur } from '../commun/acces';
import { regleMetier } from '../commun/erreurs';
import { enParallele } from '../commun/parallele';
import { normaliserColonne, type Tableau } from '../commun/tableau';
import { type Commune, retrouverCommune } from '../geographie/communes';
import { epci } from '../geographie/officielle';
import type { TerritoireStore } from './ports';
import type { ContenuTerritoire, Generation, RapportImportTerritoires, Territoire } from './schema';
import { memeContenu, territoireEnregistrable } from './territoire';

/** ANCT's published list: one row per commune. */
export const COLONNES_ANCT = ['insee_com', 'lib_com', 'id_ti', 'lib_ti'] as const;

type Rapport = RapportImportTerritoires;

interface TerritoireLu {
  id: string;
  nom: string | undefined;
  premiereLigne: number;
  /** current code → line where it was first listed */
  communes: Map<string, number>;
  donnees: Map<string, Commune>;
}

export interface ListeLue {
  contenus: ContenuTerritoire[];
  lignes: number;
  communesInconnues: Rapport['communesInconnues'];
  corrections: Rapport['corrections'];
  rejets: Rapport['rejets'];
  avertissements: Rapport['avertissements'];
}

/** `ti-8001`, `TI-8001 ` → `ti-8001`; anything else is not an ANCT id. */
function idAnct(brut: string): string | undefined {
  const id = brut.trim().toLowerCase();
  return /^ti-\d{1,6}$/.test(id) ? id : undefined;
}

/** Derives a territory's EPCIs, départements, regions and population from its communes. */
export function contenuDepuisCommunes(
  id: string,
  nom: string,
  generation: Generation,
  communes: readonly Commune[],
): ContenuTerritoire {
  const triees = [...communes].sort((a, b) => a.code.localeCompare(b.code));
  const sirens = [...new Set(triees.map((c) => c.epci).filter((s): s is string => s !== undefined))].sort();
  return {
    id,
    nom,
    generation,
    epcis: sirens.map((siren) => {
      const e = epci(siren);
      return { siren, nom: e?.nom ?? siren, type: e?.type ?? '' };
    }),
    communes: triees.map((c) => c.code),
    regions: [...new Set(triees.map((c) => c.region).filter((r): r is string => r !== undefined))].sort(),
    departements: [...new Set(triees.map((c) => c.departement))].sort(),
    population: triees.reduce((total, c) => total + c.population, 0),
    source: { type: 'import' },
  };
}

/**
 * Reads ANCT's list (`insee_com;lib_com;id_ti;lib_ti`) into territories. Codes are read as the
 * official geography knows them (a lost leading zero restored, a merged commune's old code → the
 * new commune); unknown communes are reported, never silently dropped.
 */
export function lireListeAnct(tableau: Tableau, generation: Generation): ListeLue {
  const colonnes = tableau.colonnes.map(normaliserColonne);
  const manquantes = COLONNES_ANCT.filter((c) => !colonnes.includes(c));
  if (manquantes.length > 0) {
    throw regleMetier(
      `La liste ne suit pas le format de l'ANCT (colonnes attendues : ${COLONNES_ANCT.join(';')})`,
      manquantes.map((c) => ({ path: 'colonnes', message: `Colonne manquante : ${c}` })),
    );
  }
  const indice = Object.fromEntries(COLONNES_ANCT.map((c) => [c, colonnes.indexOf(c)])) as Record<
    (typeof COLONNES_ANCT)[number],
    number
  >;
  const lue: ListeLue = {
    contenus: [],
    lignes: 0,
    communesInconnues: [],
    corrections: [],
    rejets: [],
    avertissements: [],
  };
  const territoires = new Map<string, TerritoireLu>();

  for (const { numero: ligne, valeurs } of tableau.lignes) {
    if (valeurs.every((v) => v.trim() === '')) continue;
    lue.lignes += 1;
    const cellule = (c: (typeof COLONNES_ANCT)[number]) => (valeurs[indice[c]] ?? '').trim();
    const brutId = cellule('id_ti');
    const id = idAnct(brutId);
    if (!id) {
      lue.rejets.push({
        ligne,
        motif: brutId
          ? `Identifiant de territoire « ${brutId} » invalide (attendu : ti-1234)`
          : 'Identifiant de territoire (id_ti) manquant',
      });
      continue;
    }
    const code = cellule('insee_com');
    if (!code) {
      lue.rejets.push({ ligne, motif: 'Code INSEE de la commune (insee_com) manquant' });
      continue;
    }
    let territoire = territoires.get(id);
    if (!territoire) {
      territoire = { id, nom: undefined, premiereLigne: ligne, communes: new Map(), donnees: new Map() };
      territoires.set(id, territoire);
    }
    const nom = cellule('lib_ti');
    if (nom && territoire.nom === undefined) territoire.nom = nom;
    else if (nom && nom !== territoire.nom) {
      lue.avertissements.push({
        ligne,
        motif: `Nom « ${nom} » différent de « ${territoire.nom} » (retenu) pour ${id}`,
      });
    }

    const trouvee = retrouverCommune(code);
    if (!trouvee) {
      lue.communesInconnues.push({ ligne, code, nom: cellule('lib_com'), territoire: id });
      continue;
    }
    const retenu = trouvee.commune.code;
    if (trouvee.correction)
      lue.corrections.push({ ligne, code, codeRetenu: retenu, motif: trouvee.correction });
    const deja = territoire.communes.get(retenu);
    if (deja !== undefined) {
      lue.avertissements.push({ ligne, motif: `Commune ${retenu} déjà listée pour ${id} (ligne ${deja})` });
      continue;
    }
    territoire.communes.set(retenu, ligne);
    territoire.donnees.set(retenu, trouvee.commune);
  }

  for (const t of [...territoires.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    if (t.donnees.size === 0) {
      lue.rejets.push({
        ligne: t.premiereLigne,
        motif: `Territoire ${t.id} sans aucune commune connue : non importé`,
      });
      continue;
    }
    if (t.nom === undefined) {
      lue.avertissements.push({
        ligne: t.premiereLigne,
        motif: `Territoire ${t.id} sans nom (lib_ti) : son id en tient lieu`,
      });
    }
    lue.contenus.push(contenuDepuisCommunes(t.id, t.nom ?? t.id, generation, [...t.donnees.values()]));
  }
  return lue;
}

/** Territories written in parallel (each one writes its commune index in batches). */
const ECRITURES_SIMULTANEES = 4;

/**
 * `POST /territoires/import`: imports a generation from ANCT's list. Deterministic: a territory is
 * written only when its content changed, so importing the same list twice reports nothing created
 * and nothing modified.
 */
export async function importerTerritoires(
  deps: { territoires: TerritoireStore; horloge: Horloge },
  tableau: Tableau,
  generation: Generation,
  operateur: Operateur,
): Promise<RapportImportTerritoires> {
  exigerNational(operateur);
  const lue = lireListeAnct(tableau, generation);
  const existants = await deps.territoires.lirePlusieurs(lue.contenus.map((c) => c.id));
  const maintenant = deps.horloge.maintenant().toISOString();

  const details = await enParallele(lue.contenus, ECRITURES_SIMULTANEES, async (contenu) => {
    const precedent = existants.get(contenu.id);
    const resume = {
      id: contenu.id,
      nom: contenu.nom,
      communes: contenu.communes.length,
      epcis: contenu.epcis.length,
    };
    if (precedent && precedent.generation !== generation) {
      const motif = `${contenu.id} est déjà un territoire de la génération ${precedent.generation}`;
      return { ...resume, resultat: 'conflit' as const, motif };
    }
    if (precedent && precedent.source.type !== 'import') {
      return {
        ...resume,
        resultat: 'conflit' as const,
        motif: `${contenu.id} est issu d'une candidature labellisée`,
      };
    }
    if (precedent && memeContenu(precedent, contenu)) return { ...resume, resultat: 'inchange' as const };
    const territoire: Territoire = territoireEnregistrable(contenu, precedent, maintenant);
    if (!(await deps.territoires.enregistrer(territoire, precedent))) {
      const motif = `${contenu.id} a été modifié pendant l'import : relancez l'import`;
      return { ...resume, resultat: 'conflit' as const, motif };
    }
    return { ...resume, resultat: precedent ? ('modifie' as const) : ('cree' as const) };
  });

  const compter = (r: string) => details.filter((d) => d.resultat === r).length;
  return {
    generation,
    lignes: lue.lignes,
    territoires: {
      total: details.length,
      crees: compter('cree'),
      modifies: compter('modifie'),
      inchanges: compter('inchange'),
      enConflit: compter('conflit'),
    },
    details,
    communesInconnues: lue.communesInconnues,
    corrections: lue.corrections,
    rejets: lue.rejets,
    avertissements: lue.avertissements,
  };
}
