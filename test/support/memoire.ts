import type { Campagne } from '@ti/domain/campagnes/campagne';
import type { CampagneStore, Horloge } from '@ti/domain/candidatures/ports';
import type { FicheActionStore } from '@ti/domain/fiches-action/ports';
import type { EvenementFiche, FicheAction } from '@ti/domain/fiches-action/schema';
import type { TerritoireStore } from '@ti/domain/territoires/ports';
import type { Territoire } from '@ti/domain/territoires/schema';
import { resumeDe } from '@ti/domain/territoires/territoire';

/** In-memory adapters of the domain's ports, for unit tests (no network). */

/**
 * A copy as DynamoDB gives items back: same values, but the keys of maps in another order
 * (DynamoDB keeps no order), so that code comparing stored and new values must not rely on it.
 */
const copie = <T>(v: T): T =>
  JSON.parse(
    JSON.stringify(v, (_, x) =>
      x && typeof x === 'object' && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => b.localeCompare(a)))
        : x,
    ),
  );

export function horlogeFixe(iso = '2026-11-23T10:00:00.000Z'): Horloge & { regler(iso: string): void } {
  let instant = new Date(iso);
  return {
    maintenant: () => instant,
    regler: (autre) => {
      instant = new Date(autre);
    },
  };
}

export function territoiresEnMemoire(): TerritoireStore & {
  territoires: Map<string, Territoire>;
  index: Map<string, Set<string>>;
  ecritures: number;
} {
  const territoires = new Map<string, Territoire>();
  /** commune → territory ids */
  const index = new Map<string, Set<string>>();
  const store = {
    territoires,
    index,
    ecritures: 0,
    async lire(id: string) {
      const t = territoires.get(id);
      return t ? copie(t) : undefined;
    },
    async lirePlusieurs(ids: readonly string[]) {
      return new Map(
        ids.filter((id) => territoires.has(id)).map((id) => [id, copie(territoires.get(id) as Territoire)]),
      );
    },
    async enregistrer(territoire: Territoire, precedent: Territoire | undefined) {
      const stocke = territoires.get(territoire.id);
      if (precedent === undefined ? stocke !== undefined : stocke?.version !== precedent.version)
        return false;
      for (const c of precedent?.communes ?? []) index.get(c)?.delete(territoire.id);
      for (const c of territoire.communes) index.set(c, (index.get(c) ?? new Set()).add(territoire.id));
      territoires.set(territoire.id, copie(territoire));
      store.ecritures += 1;
      return true;
    },
    async lister(filtre: { region?: string; generation?: string }, limit: number, cursor?: string) {
      const tous = [...territoires.values()]
        .filter((t) => !filtre.generation || t.generation === filtre.generation)
        .filter((t) => !filtre.region || t.regions.includes(filtre.region))
        .sort((a, b) => `${a.generation}#${a.id}`.localeCompare(`${b.generation}#${b.id}`));
      const debut = cursor ? Number(cursor) : 0;
      const items = tous.slice(debut, debut + limit).map((t) => resumeDe(copie(t)));
      return { items, nextCursor: debut + limit < tous.length ? String(debut + limit) : null };
    },
    async territoiresDeCommunes(codes: readonly string[], generation?: string) {
      return new Map(
        codes.map((c) => [
          c,
          [...(index.get(c) ?? [])]
            .filter((id) => !generation || territoires.get(id)?.generation === generation)
            .sort(),
        ]),
      );
    },
  };
  return store;
}

export function fichesEnMemoire(): FicheActionStore & {
  fiches: Map<string, FicheAction>;
  evenements: EvenementFiche[];
} {
  const fiches = new Map<string, FicheAction>();
  const evenements: (EvenementFiche & { fiche: string })[] = [];
  const selection = (territoires: readonly string[], priorite?: string) =>
    territoires.flatMap((t) =>
      [...fiches.values()]
        .filter((f) => f.territoire === t && (!priorite || f.priorite === priorite))
        .sort((a, b) => `${a.deposeeLe}#${a.id}`.localeCompare(`${b.deposeeLe}#${b.id}`))
        .map(copie),
    );
  return {
    fiches,
    evenements,
    async creer(fiche, evenement) {
      if (fiches.has(fiche.id)) throw new Error('exists');
      fiches.set(fiche.id, copie(fiche));
      evenements.push({ ...copie(evenement), fiche: fiche.id });
    },
    async remplacer(fiche, evenement, versionLue) {
      if (fiches.get(fiche.id)?.version !== versionLue) return false;
      fiches.set(fiche.id, copie(fiche));
      evenements.push({ ...copie(evenement), fiche: fiche.id });
      return true;
    },
    async lire(id) {
      const f = fiches.get(id);
      return f ? copie(f) : undefined;
    },
    async historique(id) {
      return evenements.filter((e) => e.fiche === id).map(({ fiche: _f, ...e }) => copie(e));
    },
    async page(territoires, filtre, limit, cursor) {
      const toutes = selection(territoires, filtre.priorite);
      const debut = cursor ? Number(cursor) : 0;
      return {
        items: toutes.slice(debut, debut + limit),
        nextCursor: debut + limit < toutes.length ? String(debut + limit) : null,
      };
    },
    async *parcourir(territoires, filtre) {
      const toutes = selection(territoires, filtre.priorite);
      for (let i = 0; i < toutes.length; i += 3) yield toutes.slice(i, i + 3);
    },
  };
}

export function campagnesEnMemoire(...campagnes: Campagne[]): CampagneStore {
  const parId = new Map(campagnes.map((c) => [c.id, c]));
  return {
    async lire(id) {
      return parId.get(id);
    },
    async enregistrer(campagne) {
      parId.set(campagne.id, campagne);
      return true;
    },
  };
}
