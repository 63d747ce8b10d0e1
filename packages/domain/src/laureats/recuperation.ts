import type { Horloge } from '../candidatures/ports';

/** The latest export, downloaded where the function can read it again (its bytes hashed on the way). */
export interface ExportRecupere {
  /** The name the source gave it (informative). */
  nom: string;
  sha256: string;
  taille: number;
  extension: 'csv' | 'xlsx';
  /** Where its bytes are (a temporary file). */
  chemin: string;
}

export interface DependancesRecuperation {
  /** Bpifrance's endpoint in AWS; a folder locally. Undefined when it has nothing to give. */
  source: { recuperer(): Promise<ExportRecupere | undefined> };
  stockage: {
    existe(cle: string): Promise<boolean>;
    deposer(cle: string, fichier: ExportRecupere): Promise<void>;
  };
  /** Contents already received, by hash, with the key each was stored under. */
  registre: {
    lire(sha256: string): Promise<{ cle: string; recuLe: string } | undefined>;
    enregistrer(sha256: string, cle: string, recuLe: string): Promise<boolean>;
  };
  horloge: Horloge;
}

export type ResultatRecuperation =
  | { statut: 'aucun_export' }
  | { statut: 'deja_recu'; cle: string; recuLe: string; sha256: string }
  | { statut: 'depose'; cle: string; sha256: string; taille: number };

/** `exports/bpifrance/2021-10-04/3f0a…c2.csv`: dated, named by its content. */
export const cleExportBpifrance = (jour: string, sha256: string, extension: string) =>
  `exports/bpifrance/${jour}/${sha256.slice(0, 16)}.${extension}`;

/**
 * The scheduled fetch: the latest export is stored under a dated key, once per content. The hash is
 * recorded before the upload with the key it is meant for, so a run that dies in between leaves a
 * record whose object is missing, and the next run uploads it there; an object created under
 * `exports/` is what triggers the ingestion.
 */
export async function recupererExport(deps: DependancesRecuperation): Promise<ResultatRecuperation> {
  const fichier = await deps.source.recuperer();
  if (!fichier) return { statut: 'aucun_export' };
  const { sha256 } = fichier;
  const enregistrer = async () => {
    const recuLe = deps.horloge.maintenant().toISOString();
    const cle = cleExportBpifrance(recuLe.slice(0, 10), sha256, fichier.extension);
    return (await deps.registre.enregistrer(sha256, cle, recuLe))
      ? { cle, recuLe }
      : deps.registre.lire(sha256);
  };
  const recu = (await deps.registre.lire(sha256)) ?? (await enregistrer());
  if (!recu) throw new Error(`Export ${sha256} enregistré puis introuvable`);
  if (await deps.stockage.existe(recu.cle)) return { statut: 'deja_recu', ...recu, sha256 };
  await deps.stockage.deposer(recu.cle, fichier);
  return { statut: 'depose', cle: recu.cle, sha256, taille: fichier.taille };
}
