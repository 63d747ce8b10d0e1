import { createHash } from 'node:crypto';
import type { Horloge } from '../candidatures/ports';
import { conflit } from '../commun/erreurs';
import { associerEntete, type EnteteAssocie } from './colonnes';
import {
  type DonneesLaureat,
  empreinteDe,
  type LigneLue,
  lireIdentifiant,
  lireLigne,
  texteDe,
} from './ligne';
import {
  type AvancementImport,
  type EcritureLaureat,
  FichierIllisible,
  type ImportLaureats,
  type ImportStore,
  type LaureatStocke,
  type LaureatStore,
  type ObjetImporte,
  type RapportsImport,
  type Rattachement,
  type ResultatLigne,
  type Signalement,
  type TableauEnFlux,
} from './ports';
import type { Compteurs } from './schema';

export interface DependancesIngestion {
  laureats: LaureatStore;
  imports: ImportStore;
  rattachement: Rattachement;
  rapports: RapportsImport;
  horloge: Horloge;
}

/** A line that would change a laureate (dry run). */
export interface Changement {
  ligne: number;
  identifiantProjet: string;
  resultat: 'nouvelle' | 'modifiee';
  /** Fields whose value changes, for `modifiee`. */
  champs: (keyof DonneesLaureat)[];
}

export interface OptionsIngestion {
  /** Rows per window: read, written and committed together. */
  tailleFenetre?: number;
  /** Dry run: classify against the stored laureates, write nothing, record nothing. */
  simulation?: boolean;
  /** After each committed window (each window in a dry run). */
  surAvancement?: (imp: ImportLaureats) => void;
  surChangement?: (changement: Changement) => void;
  /** The rejected rows' faults and the warnings of each window, as they are found. */
  surSignalements?: (signalements: readonly Signalement[]) => void;
  /** Checked after each commit: false stops the run there (it resumes from that commit). */
  continuer?: () => boolean;
  /**
   * Once, by the run that ended the import (`termine` or `rejete`), with the record as closed: not on an
   * interruption, nor for a duplicate event or a retry that finds it ended (the import's metrics).
   */
  surCloture?: (imp: ImportLaureats) => void;
}

export const TAILLE_FENETRE = 2000;

/** Thrown when `continuer` said stop: the import is committed up to its cursor and resumes from there. */
export class IngestionInterrompue extends Error {
  constructor(
    readonly importId: string,
    readonly curseur: number,
  ) {
    super(`Import ${importId} interrompu après la ligne ${curseur} : il reprendra de là`);
    this.name = 'IngestionInterrompue';
  }
}

const zero = (): Compteurs => ({ total: 0, nouvelles: 0, modifiees: 0, inchangees: 0, rejetees: 0 });
const COMPTEUR: Record<ResultatLigne, keyof Compteurs> = {
  nouvelle: 'nouvelles',
  modifiee: 'modifiees',
  inchangee: 'inchangees',
};

const memeObjet = (a: ObjetImporte, b: ObjetImporte) =>
  a.bucket === b.bucket && a.cle === b.cle && (a.versionId ?? a.etag) === (b.versionId ?? b.etag);

/** Another version of an object that already had its import gets its own id, derived from the version. */
const idDeVersion = (importId: string, objet: ObjetImporte) =>
  `${importId}-${createHash('sha256')
    .update(objet.versionId ?? objet.etag ?? '')
    .digest('hex')
    .slice(0, 8)}`;

const estVide = (cellules: readonly unknown[]) => cellules.every((c) => texteDe(c as never) === '');

const memesListes = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

function champsModifies(avant: DonneesLaureat, apres: DonneesLaureat): (keyof DonneesLaureat)[] {
  return (Object.keys(apres) as (keyof DonneesLaureat)[]).filter(
    (k) => JSON.stringify(avant[k]) !== JSON.stringify(apres[k]),
  );
}

/** An id's state across the lines of one window. */
interface EtatFenetre {
  /** As stored before the window. */
  avant: LaureatStocke | undefined;
  /** After the window's lines read so far. */
  courant: LaureatStocke | undefined;
  /** Lines of this window settled by a write a previous run of this import already made. */
  refaite: boolean;
  modifie: boolean;
  lignes: Record<string, ResultatLigne>;
}

/**
 * Ingests one Bpifrance export, exactly once whatever happens: the file is read as a stream, in
 * windows of `tailleFenetre` rows. For each window the stored laureates are read in batches, each
 * row is compared with them by content hash (new, modified, unchanged: only the first two are
 * written), then the writes are made and the window is committed on the import record, with its
 * counts, by a write conditioned on the previous commit.
 *
 * A run that dies mid-window leaves writes of that window uncommitted; the next run (the same S3
 * event retried or delivered again) reads the file again, skips the committed lines and redoes the
 * window: a laureate it finds written by this very import for this very line carries the outcome
 * that line had (`TraceEcriture`), so the counts come out as if nothing had happened. A finished
 * import is not run again.
 *
 * Within a file, the same project id twice: the later row wins, the earlier one is ignored with a
 * warning (counted unchanged). A first pass over the file finds each id's last line, so that the
 * earlier rows are never applied: re-ingesting such a file changes nothing. That map (about 100 bytes
 * per laureate) is the one thing kept for the whole file; everything else is bounded by the window.
 */
export async function ingerer(
  deps: DependancesIngestion,
  demande: { importId: string; objet: ObjetImporte; correlationId?: string },
  ouvrir: () => Promise<TableauEnFlux>,
  options: OptionsIngestion = {},
): Promise<ImportLaureats> {
  const simulation = options.simulation ?? false;
  const tailleFenetre = options.tailleFenetre ?? TAILLE_FENETRE;
  const { objet } = demande;
  let importId = demande.importId;

  let imp = simulation ? undefined : await deps.imports.lire(importId);
  if (imp && !memeObjet(imp.objet, objet)) {
    importId = idDeVersion(importId, objet);
    imp = await deps.imports.lire(importId);
  }
  if (imp && imp.statut !== 'en_cours') return imp;
  if (!imp) {
    const nouveau: ImportLaureats = {
      importId,
      fichier: objet.cle.slice(objet.cle.lastIndexOf('/') + 1),
      statut: 'en_cours',
      debut: deps.horloge.maintenant().toISOString(),
      lignes: zero(),
      curseur: 0,
      octetsLus: 0,
      objet,
      nbRejets: 0,
      nbAvertissements: 0,
      ...(demande.correlationId ? { correlationId: demande.correlationId } : {}),
    };
    if (simulation || (await deps.imports.creer(nouveau))) imp = nouveau;
    else imp = await deps.imports.lire(importId);
    if (!imp) throw new Error(`Import ${importId} introuvable après sa création`);
    if (imp.statut !== 'en_cours') return imp;
  }

  let etat: ImportLaureats = imp;

  const commit = async (avancement: AvancementImport) => {
    if (!simulation && !(await deps.imports.avancer(importId, etat.curseur, avancement))) {
      throw conflit(`L'import ${importId} a avancé dans une autre exécution : celle-ci s'arrête`);
    }
    etat = { ...etat, ...avancement };
    options.surAvancement?.(etat);
  };

  const cloturer = async (statut: 'termine' | 'rejete', supplement: Partial<ImportLaureats> = {}) => {
    const fin = deps.horloge.maintenant().toISOString();
    const cloture = { ...etat, ...supplement, statut, fin };
    if (simulation) return cloture;
    const rapport = await deps.rapports.publier(cloture, (type) => deps.imports.signalements(importId, type));
    const avancement = {
      curseur: cloture.curseur,
      lignes: cloture.lignes,
      octetsLus: cloture.octetsLus,
      nbRejets: cloture.nbRejets,
      nbAvertissements: cloture.nbAvertissements,
    };
    const fait = await deps.imports.clore(importId, etat.curseur, {
      ...avancement,
      statut,
      fin,
      rapport,
      ...(cloture.colonnesManquantes ? { colonnesManquantes: cloture.colonnesManquantes } : {}),
    });
    const final = fait ? { ...cloture, rapport } : await deps.imports.lire(importId);
    if (!final) throw new Error(`Import ${importId} disparu`);
    if (fait) options.surCloture?.(final);
    return final;
  };

  /** The whole file refused (no readable table, required columns missing): one fault, at `ligne`. */
  const rejeter = async (ligne: number, motif: string, colonnesManquantes?: string[]) => {
    const signalement: Signalement = { type: 'rejet', ligne, ordre: 0, motif };
    if (!simulation) await deps.laureats.ecrire([], { importId, liste: [signalement] });
    etat = { ...etat, nbRejets: 1 };
    return cloturer('rejete', colonnesManquantes ? { colonnesManquantes } : {});
  };

  let tableau: TableauEnFlux;
  try {
    tableau = await ouvrir();
  } catch (error) {
    if (error instanceof FichierIllisible) return rejeter(error.ligne ?? 1, error.message);
    throw error;
  }

  // First pass: the last line of each project id (the row that wins).
  const derniere = new Map<string, number>();
  try {
    let colonneId: number | undefined;
    let enteteVu = false;
    for await (const { numero, cellules } of tableau.lignes) {
      if (estVide(cellules)) continue;
      if (!enteteVu) {
        enteteVu = true;
        colonneId = associerEntete(cellules.map((c) => texteDe(c))).indices.identifiantProjet;
        if (colonneId === undefined) break;
        continue;
      }
      const id = lireIdentifiant(cellules[colonneId as number]);
      if (id.ok) derniere.set(id.valeur, numero);
    }
  } catch (error) {
    // The second pass meets the same fault at the same line and reports it.
    if (!(error instanceof FichierIllisible)) throw error;
  }
  tableau = await ouvrir();

  let entete: EnteteAssocie | undefined;
  let enAttente: Signalement[] = [];
  let fenetre: LigneLue[] = [];
  /** The progress after the last window prepared (committed once its writes are done). */
  let prevu: AvancementImport = {
    curseur: etat.curseur,
    lignes: etat.lignes,
    octetsLus: etat.octetsLus,
    nbRejets: etat.nbRejets,
    nbAvertissements: etat.nbAvertissements,
  };
  /** The writes and commit of the last window prepared, chained after those of the one before. */
  let enVol: Promise<void> = Promise.resolve();

  const traiterFenetre = async (derniereLigne: number) => {
    const lues = fenetre;
    fenetre = [];
    const signalements = enAttente;
    enAttente = [];
    const compte = zero();

    if (lues.length === 0 && signalements.length === 0) return;
    const valides = lues.filter(
      (l): l is Extract<LigneLue, { valide: true }> =>
        l.valide && (derniere.get(l.donnees.identifiantProjet) ?? l.numero) <= l.numero,
    );
    const [territoires, stockes] = await Promise.all([
      deps.rattachement.territoiresDe([...new Set(valides.map((l) => l.donnees.codeCommune))]),
      deps.laureats.lirePlusieurs(
        [...new Set(valides.map((l) => l.donnees.identifiantProjet))],
        // What changes is listed field by field for a dry run only.
        options.surChangement ? 'complet' : 'comparaison',
      ),
    ]);
    const parId = new Map<string, EtatFenetre>();

    for (const lue of lues) {
      compte.total += 1;
      if (!lue.valide) {
        compte.rejetees += 1;
        lue.rejets.forEach((r, ordre) => {
          signalements.push({
            type: 'rejet',
            ligne: lue.numero,
            ordre,
            motif: r.motif,
            ...(r.colonne ? { colonne: r.colonne } : {}),
          });
        });
        continue;
      }
      const donnees: DonneesLaureat = {
        ...lue.donnees,
        territoires: territoires.get(lue.donnees.codeCommune) ?? [],
      };
      const id = donnees.identifiantProjet;
      const empreinte = empreinteDe(donnees);
      let e = parId.get(id);
      if (!e) {
        const stocke = stockes.get(id);
        e = { avant: stocke, courant: stocke, refaite: false, modifie: false, lignes: {} };
        parId.set(id, e);
      }
      const avertissements = lue.avertissements;
      const gagnante = derniere.get(id) ?? lue.numero;
      if (gagnante > lue.numero) {
        compte.inchangees += 1;
        signalements.push({
          type: 'avertissement',
          ligne: lue.numero,
          ordre: 0,
          motif: `Identifiant projet ${id} repris ligne ${gagnante} : cette ligne, plus ancienne, est ignorée`,
        });
        continue;
      }

      const trace = e.courant?.trace;
      const dejaFaite = trace?.importId === importId ? trace.lignes[String(lue.numero)] : undefined;
      let resultat: ResultatLigne;
      if (dejaFaite) {
        resultat = dejaFaite;
        e.refaite = true;
      } else {
        resultat = !e.courant ? 'nouvelle' : e.courant.empreinte === empreinte ? 'inchangee' : 'modifiee';
        if (resultat !== 'inchangee') {
          options.surChangement?.({
            ligne: lue.numero,
            identifiantProjet: id,
            resultat,
            champs: e.courant ? champsModifies(e.courant.donnees, donnees) : [],
          });
          e.modifie = true;
          e.courant = { donnees, empreinte, importId };
        }
      }
      e.lignes[String(lue.numero)] = resultat;
      compte[COMPTEUR[resultat]] += 1;
      avertissements.forEach((motif, ordre) => {
        signalements.push({ type: 'avertissement', ligne: lue.numero, ordre, motif });
      });
    }

    const ecritures: EcritureLaureat[] = [];
    for (const [id, e] of parId) {
      if (!e.courant || (!e.modifie && !e.refaite)) continue;
      const { donnees } = e.courant;
      const avant = e.avant?.donnees;
      const refaits = e.refaite ? (e.avant?.trace?.territoiresRetires ?? []) : [];
      const retraits = [...new Set([...(avant?.territoires ?? []), ...refaits])].filter(
        (t) => !donnees.territoires.includes(t),
      );
      const appartenancesChangent =
        e.refaite ||
        !avant ||
        avant.codeRegion !== donnees.codeRegion ||
        !memesListes(avant.territoires, donnees.territoires);
      ecritures.push({
        identifiantProjet: id,
        codeRegion: donnees.codeRegion,
        appartenances: appartenancesChangent ? donnees.territoires : [],
        retraits,
        ...(e.modifie
          ? { laureat: { ...e.courant, trace: { importId, lignes: e.lignes, territoiresRetires: retraits } } }
          : {}),
      });
    }

    const lignes = { ...prevu.lignes };
    for (const k of Object.keys(compte) as (keyof Compteurs)[]) lignes[k] += compte[k];
    const avancement: AvancementImport = {
      curseur: Math.max(derniereLigne, prevu.curseur),
      lignes,
      octetsLus: tableau.octetsLus(),
      nbRejets: prevu.nbRejets + signalements.filter((s) => s.type === 'rejet').length,
      nbAvertissements:
        prevu.nbAvertissements + signalements.filter((s) => s.type === 'avertissement').length,
    };
    prevu = avancement;
    if (signalements.length > 0) options.surSignalements?.(signalements);

    // This window's writes start now, while the next window is read and compared (each id is written
    // at most once per file, so they never touch the same laureates); commits stay in file order.
    const precedente = enVol;
    const ecriture = simulation
      ? Promise.resolve()
      : deps.laureats.ecrire(ecritures, { importId, liste: signalements });
    ecriture.catch(() => {});
    const etape = (async () => {
      const [avant, ecrit] = await Promise.allSettled([precedente, ecriture]);
      if (avant.status === 'rejected') throw avant.reason;
      if (ecrit.status === 'rejected') throw ecrit.reason;
      await commit(avancement);
      if (options.continuer && !options.continuer()) throw new IngestionInterrompue(importId, etat.curseur);
    })();
    etape.catch(() => {});
    enVol = etape;
    try {
      await precedente; // at most two windows in flight
    } catch (error) {
      await etape.catch(() => {});
      throw error;
    }
  };

  let derniereLue = 0;
  try {
    for await (const { numero, cellules } of tableau.lignes) {
      if (estVide(cellules)) continue;
      if (!entete) {
        entete = associerEntete(cellules.map((c) => texteDe(c)));
        if (entete.manquantes.length > 0) {
          return await rejeter(
            numero,
            `Colonnes obligatoires manquantes : ${entete.manquantes.join(', ')}. Le fichier n’est pas importé.`,
            entete.manquantes,
          );
        }
        if (numero > etat.curseur) {
          const motifs = [
            ...entete.ignorees.map((c) => `Colonne « ${c} » inconnue : ignorée`),
            ...entete.doublons.map((d) => `Colonne « ${d.entete} » en double : la première est lue`),
          ];
          enAttente = motifs.map((motif, ordre) => ({ type: 'avertissement', ligne: numero, ordre, motif }));
        }
        derniereLue = numero;
        continue;
      }
      derniereLue = numero;
      if (numero <= etat.curseur) continue; // committed by an earlier run
      fenetre.push(lireLigne(numero, cellules, entete.indices));
      if (fenetre.length >= tailleFenetre) await traiterFenetre(numero);
    }
  } catch (error) {
    if (!(error instanceof FichierIllisible)) throw error;
    // The rest of the file cannot be read (an unclosed quote swallows it): what came before stands.
    const ligne = error.ligne ?? derniereLue + 1;
    await traiterFenetre(derniereLue);
    if (ligne > prevu.curseur) {
      enAttente.push({
        type: 'rejet',
        ligne,
        ordre: 0,
        motif: `Fichier illisible à partir de cette ligne : ${error.message}`,
      });
      fenetre = [{ numero: ligne, valide: false, rejets: [] }];
      await traiterFenetre(ligne);
    }
    await enVol;
    return cloturer('termine');
  }
  if (!entete) return rejeter(1, 'Fichier vide : aucune ligne d’en-tête');
  if (fenetre.length > 0 || enAttente.length > 0) await traiterFenetre(derniereLue);
  await enVol;
  return cloturer('termine');
}
