import { ingerer, type OptionsIngestion } from '@ti/domain/laureats/ingestion';
import type {
  ImportLaureats,
  ImportStore,
  LaureatStore,
  RapportsImport,
  Rattachement,
  Signalement,
} from '@ti/domain/laureats/ports';
import { cles, importDe, laureatDe, requetesEcriture } from '@ti/platform/dynamodb/laureats';
import { lireTableauEnFlux } from '@ti/platform/fichiers/flux';

/**
 * In-memory adapters of the laureates' ports that keep items exactly as the DynamoDB adapter would
 * (the same requests are applied to a map), for unit tests without network. `panne.apres` makes the
 * store fail after that many item writes, the earlier ones applied: a crash in the middle of a batch.
 */
export function laureatsEnMemoire() {
  const items = new Map<string, Record<string, unknown>>();
  const cle = (k: { pk: string; sk: string }) => `${k.pk}|${k.sk}`;
  const copie = <T>(v: T): T => structuredClone(v);
  const etat = { ecritures: 0, panne: { apres: undefined as number | undefined } };

  const appliquer = (requetes: ReturnType<typeof requetesEcriture>) => {
    for (const r of requetes) {
      if (etat.panne.apres !== undefined && etat.ecritures >= etat.panne.apres) {
        etat.panne.apres = undefined;
        throw new Error('panne simulée');
      }
      etat.ecritures += 1;
      if ('PutRequest' in r) items.set(cle(r.PutRequest.Item as never), copie(r.PutRequest.Item));
      else items.delete(cle(r.DeleteRequest.Key as never));
    }
  };

  const laureats: LaureatStore = {
    async lirePlusieurs(ids, portee = 'complet') {
      const lus = new Map();
      for (const id of ids) {
        const item = items.get(cle(cles.laureat(id)));
        if (!item) continue;
        // As DynamoDB's projection would: only what comparing needs.
        const lu =
          portee === 'complet'
            ? item
            : Object.fromEntries(
                ['identifiantProjet', 'empreinte', 'importId', 'trace', 'codeRegion', 'territoires']
                  .filter((k) => k in item)
                  .map((k) => [k, item[k]]),
              );
        lus.set(id, laureatDe(copie(lu)));
      }
      return lus;
    },
    async ecrire(ecritures, signalements) {
      appliquer(requetesEcriture(ecritures, signalements));
    },
    async lister() {
      throw new Error('non utilisé ici');
    },
  };

  const imports: ImportStore = {
    async lire(importId) {
      const item = items.get(cle(cles.import(importId)));
      return item ? importDe(copie(item)) : undefined;
    },
    async creer(imp) {
      const k = cle(cles.import(imp.importId));
      if (items.has(k)) return false;
      items.set(k, copie({ ...cles.import(imp.importId), ...imp }));
      return true;
    },
    async avancer(importId, attendu, avancement) {
      const item = items.get(cle(cles.import(importId)));
      if (!item || item.curseur !== attendu || item.statut !== 'en_cours') return false;
      Object.assign(item, copie(avancement));
      return true;
    },
    async clore(importId, attendu, cloture) {
      const item = items.get(cle(cles.import(importId)));
      if (!item || item.curseur !== attendu || item.statut !== 'en_cours') return false;
      Object.assign(item, copie(cloture));
      return true;
    },
    async *signalements(importId, type, limite) {
      const prefixe = `import#${importId}|${type}#`;
      const trouves = [...items.entries()]
        .filter(([k]) => k.startsWith(prefixe))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([, v]) => v);
      for (const v of trouves.slice(0, limite)) {
        yield {
          type,
          ligne: Number(v.ligne),
          ordre: Number(v.ordre),
          ...(v.colonne ? { colonne: String(v.colonne) } : {}),
          motif: String(v.motif),
        } satisfies Signalement;
      }
    },
  };

  const publies: ImportLaureats[] = [];
  const rapports: RapportsImport = {
    async publier(imp) {
      publies.push(imp);
      return {
        json: `rapports/${imp.importId}/rapport.json`,
        rejetsCsv: `rapports/${imp.importId}/rejets.csv`,
      };
    },
    async liens(r) {
      return { ...r, expiresAt: '2026-11-23T10:15:00.000Z' };
    },
  };

  /** Laureate items only (keys `laureat#…|laureat`). */
  const laureatsStockes = () =>
    new Map(
      [...items.entries()]
        .filter(([k]) => k.endsWith('|laureat'))
        .map(([, v]) => [String(v.identifiantProjet), laureatDe(copie(v))]),
    );
  const appartenances = () =>
    [...items.keys()].filter((k) => k.startsWith('laureat#') && k.includes('|territoire#')).sort();

  return { items, etat, laureats, imports, rapports, publies, laureatsStockes, appartenances };
}

/** Territories by commune, as the registry would answer. */
export function rattachementFixe(parCommune: Record<string, string[]>): Rattachement & { appels: number } {
  const r = {
    appels: 0,
    async territoiresDe(codes: readonly string[]) {
      r.appels += 1;
      return new Map(codes.map((c) => [c, parCommune[c] ?? []]));
    },
  };
  return r;
}

/** The territories of the communes of the example exports (laureats-exemples.ts), as the registry says. */
export const TERRITOIRES_EXEMPLES = {
  '76035': ['ti-8418'],
  '76028': ['ti-8418'],
  '01011': ['ti-8002', 'ti-8419'],
};

/**
 * The ingestion of `octets`, as the object `exports/<importId>.csv` of the laureates' bucket (ETag the
 * import's id unless told), into an in-memory store, the communes placed by `TERRITOIRES_EXEMPLES`; the
 * file read by chunks of `taille` bytes (in one piece unless told).
 */
export function importerEnMemoire(
  m: ReturnType<typeof laureatsEnMemoire>,
  importId: string,
  octets: Buffer,
  lecture: {
    horloge: { maintenant: () => Date };
    options?: OptionsIngestion;
    etag?: string;
    taille?: number;
  },
) {
  const { horloge, options = {}, etag = importId, taille } = lecture;
  async function* morceaux() {
    if (taille === undefined) yield octets;
    else for (let i = 0; i < octets.length; i += taille) yield octets.subarray(i, i + taille);
  }
  return ingerer(
    { ...m, rattachement: rattachementFixe(TERRITOIRES_EXEMPLES), horloge },
    {
      importId,
      objet: { bucket: 'ti-laureats', cle: `exports/${importId}.csv`, etag, taille: octets.length },
    },
    async () => lireTableauEnFlux(morceaux()),
    options,
  );
}
