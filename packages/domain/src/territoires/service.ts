import { exigerAccesRegions, type Operateur, regionVisible } from '../commun/acces';
import { conflit, introuvable } from '../commun/erreurs';
import { toutesLesPages } from '../commun/parallele';
import type { TerritoireStore } from './ports';
import { type FiltreTerritoires, GENERATION_COURANTE, type Territoire } from './schema';

/** `GET /territoires/{id}`: for a national operator, or an operator of one of its regions. */
export async function lireTerritoire(
  deps: { territoires: TerritoireStore },
  id: string,
  operateur: Operateur,
): Promise<Territoire> {
  const territoire = await deps.territoires.lire(id);
  if (!territoire) throw introuvable(`Le territoire ${id} n'existe pas`);
  exigerAccesRegions(operateur, territoire.regions);
  return territoire;
}

/** `GET /territoires?region=`: a regional operator sees its own region's territories. */
export async function listerTerritoires(
  deps: { territoires: TerritoireStore },
  filtre: FiltreTerritoires,
  operateur: Operateur,
) {
  const region = regionVisible(operateur, filtre.region);
  return deps.territoires.lister({ region, generation: filtre.generation }, filtre.limit, filtre.cursor);
}

/** A territory that may receive fiches-action: it exists (404) and is labelled for the current generation (409). */
export async function territoireLabellise(
  deps: { territoires: TerritoireStore },
  id: string,
): Promise<Territoire> {
  const territoire = await deps.territoires.lire(id);
  if (!territoire) throw introuvable(`Le territoire ${id} n'existe pas`);
  if (territoire.generation !== GENERATION_COURANTE) {
    throw conflit(
      `Le territoire ${id} (${territoire.nom}) est labellisé pour la génération ${territoire.generation}, ` +
        `pas pour ${GENERATION_COURANTE} : il ne peut pas déposer de fiche-action`,
    );
  }
  return territoire;
}

/** Every territory of the registry, whole (communes included): its listing, then its batched reads. */
export async function tousLesTerritoires(territoires: TerritoireStore): Promise<Territoire[]> {
  const resumes = await toutesLesPages((cursor) => territoires.lister({}, 200, cursor));
  const complets = await territoires.lirePlusieurs(resumes.map((t) => t.id));
  return [...complets.values()];
}
