/**
 * The steps of the selection calendar, one per task of the state machine (infra/stacks/workflow-stack.ts).
 * Each is idempotent (a re-run, or a new execution after the dates changed, does nothing twice) and
 * first checks that its execution still serves the campaign's current dates.
 */
import { type Campagne, type Phase, RANG_PHASE } from '../campagnes/campagne';
import type { CandidatureStore, Horloge } from '../candidatures/ports';
import type { Candidature } from '../candidatures/schema';
import { enParallele } from '../commun/parallele';
import { creerTerritoireLabellise } from '../territoires/labellisation';
import type { TerritoireStore } from '../territoires/ports';
import { candidaturesDe, emetteursManquants, modifierCandidature, regionComplete } from './candidatures';
import {
  type Attente,
  attenteVers,
  type Echeance,
  instantEcheance,
  instantRappel,
  nomExecution,
} from './echeances';
import type {
  CalendrierPort,
  CleJeton,
  EtatCampagneStore,
  JetonsPort,
  MarquesStore,
  NotificationsPort,
} from './ports';
import type { Avis, EntreeEtape, EtatCalendrier } from './schema';

/** A step's failure, named for the state machine's Retry/Catch (the Lambda error type). */
export class ErreurEtape extends Error {
  constructor(
    name: 'CalendrierPerime' | 'DecisionAbsente' | 'DecisionIncomplete' | 'NotificationEnCours',
    message: string,
  ) {
    super(message);
    this.name = name;
  }
}

export interface DependancesEtapes {
  campagnes: EtatCampagneStore;
  candidatures: CandidatureStore;
  horloge: Horloge;
}

const SOURCE = 'calendrier';
/** Notifications sent at once during the announcement. */
const ENVOIS_SIMULTANES = 8;
/** A notification reserved by a run that died is taken over after this long. */
const BAIL_NOTIFICATION_SECONDES = 120;

/** The campaign, if this execution still serves its dates; otherwise the execution must end. */
async function campagneDeLEtape(campagnes: EtatCampagneStore, entree: EntreeEtape): Promise<Campagne> {
  const campagne = await campagnes.lire(entree.campagne);
  if (!campagne || campagne.version !== entree.version) {
    throw new ErreurEtape(
      'CalendrierPerime',
      `La campagne ${entree.campagne} n'est plus à la version ${entree.version} : une autre exécution sert ses dates`,
    );
  }
  return campagne;
}

async function avancer(campagnes: EtatCampagneStore, entree: EntreeEtape, phase: Phase): Promise<void> {
  if ((await campagnes.avancerPhase(entree.campagne, entree.version, phase)) === 'perimee') {
    throw new ErreurEtape('CalendrierPerime', `La campagne ${entree.campagne} a changé de version`);
  }
}

/**
 * How long the calendar waits for one of the campaign's dates, read afresh at each wake-up. Also, for
 * the regional deadline of a region, whether its reminder is due now (and not yet sent), and whether
 * the national decision is already in (a new execution must not wait for it again).
 */
export async function calculerAttente(
  deps: Pick<DependancesEtapes, 'campagnes' | 'horloge'> & { marques: MarquesStore },
  entree: EntreeEtape & { echeance: Echeance; region?: string | undefined },
): Promise<Attente & { rappel: boolean; decidee: boolean }> {
  const campagne = await campagneDeLEtape(deps.campagnes, entree);
  const maintenant = deps.horloge.maintenant();
  const cible = instantEcheance(campagne, entree.echeance);
  const decidee = campagne.decision !== undefined;
  if (entree.echeance !== 'avisRegional' || !entree.region || cible <= maintenant) {
    return { ...attenteVers(cible, maintenant), rappel: false, decidee };
  }
  const rappel = instantRappel(campagne);
  if (await deps.marques.rappelEnvoye(campagne.id, entree.region)) {
    return { ...attenteVers(cible, maintenant), rappel: false, decidee };
  }
  if (rappel <= maintenant) return { ...attenteVers(cible, maintenant), rappel: true, decidee };
  // Wake up for the reminder first.
  return { ...attenteVers(rappel, maintenant), atteinte: false, rappel: false, decidee };
}

/** The calendar reached a phase that needs no other work (opening, national selection, waiting). */
export async function atteindrePhase(
  deps: Pick<DependancesEtapes, 'campagnes'>,
  entree: EntreeEtape & { phase: 'ouverte' | 'selection_nationale' | 'attente_annonce' },
): Promise<{ phase: Phase }> {
  await campagneDeLEtape(deps.campagnes, entree);
  await avancer(deps.campagnes, entree, entree.phase);
  return { phase: entree.phase };
}

/**
 * The window closes: the phase first (amendments are refused from then on), then every `deposee`
 * candidature moves to `en_instruction`. Returns the regions the review will wait for.
 */
export async function clore(
  deps: DependancesEtapes,
  entree: EntreeEtape,
): Promise<{ regions: string[]; candidatures: number }> {
  await campagneDeLEtape(deps.campagnes, entree);
  await avancer(deps.campagnes, entree, 'instruction_regionale');
  const candidatures = await candidaturesDe(deps.candidatures, entree.campagne);
  await enParallele(
    candidatures.filter((c) => c.statut === 'deposee'),
    ENVOIS_SIMULTANES,
    (c) =>
      modifierCandidature(
        deps.candidatures,
        c.id,
        (lue) =>
          lue.statut === 'deposee'
            ? { champs: { statut: 'en_instruction' }, action: 'instruction', source: SOURCE }
            : undefined,
        () => deps.horloge.maintenant(),
      ),
  );
  const regions = [...new Set(candidatures.flatMap((c) => c.regions))].sort();
  return { regions, candidatures: candidatures.length };
}

/**
 * A step that waits for people keeps its task token, then checks whether what it waits for is already
 * in (opinions given before it started waiting, a decision kept from an earlier execution): if so it
 * resumes itself. Keeping the token first means a resume by the API cannot fall between the two.
 */
export async function attendre(
  deps: DependancesEtapes & { jetons: JetonsPort },
  entree: EntreeEtape & ({ etape: 'avis'; region: string } | { etape: 'decision' }) & { jeton: string },
): Promise<{ deja: boolean }> {
  const campagne = await campagneDeLEtape(deps.campagnes, entree);
  const cle: CleJeton =
    entree.etape === 'avis'
      ? { campagne: campagne.id, etape: 'avis', region: entree.region }
      : { campagne: campagne.id, etape: 'decision' };
  await deps.jetons.garder(cle, entree.jeton);
  if (entree.etape === 'avis') {
    if (await regionComplete(deps.candidatures, campagne.id, entree.region)) {
      return { deja: await deps.jetons.reprendre(cle, { region: entree.region, avis: 'complets' }) };
    }
  } else if (campagne.decision) {
    return {
      deja: await deps.jetons.reprendre(cle, {
        labellisees: campagne.decision.labellisees.length,
        nonRetenues: campagne.decision.nonRetenues.length,
      }),
    };
  }
  return { deja: false };
}

/** Reminds a region's operators of the opinions still missing, once per campaign and region. */
export async function rappeler(
  deps: DependancesEtapes & { marques: MarquesStore; notifications: NotificationsPort },
  entree: EntreeEtape & { region: string },
): Promise<{ envoye: boolean; candidatures: number }> {
  const campagne = await campagneDeLEtape(deps.campagnes, entree);
  if (await deps.marques.rappelEnvoye(campagne.id, entree.region)) return { envoye: false, candidatures: 0 };
  const manquantes = (await candidaturesDe(deps.candidatures, campagne.id, entree.region))
    .map((c) => ({ id: c.id, nomTerritoire: c.nomTerritoire, manquants: emetteursManquants(c) }))
    .filter((c) => c.manquants.length > 0);
  if (manquantes.length > 0) {
    await deps.notifications.publier({
      id: `${campagne.id}.${entree.region}.rappel`,
      type: 'Rappel avis regional',
      detail: {
        campagne: campagne.id,
        region: entree.region,
        echeance: campagne.avisRegional,
        candidatures: manquantes,
      },
    });
  }
  await deps.marques.marquerRappel(campagne.id, entree.region, deps.horloge.maintenant().toISOString());
  return { envoye: manquantes.length > 0, candidatures: manquantes.length };
}

/** At the deadline, the opinions still missing on the region's candidatures are recorded "non rendu". */
export async function constaterAvisNonRendus(
  deps: DependancesEtapes,
  entree: EntreeEtape & { region: string },
): Promise<{ nonRendus: number }> {
  const campagne = await campagneDeLEtape(deps.campagnes, entree);
  let nonRendus = 0;
  for (const c of await candidaturesDe(deps.candidatures, campagne.id, entree.region)) {
    if (emetteursManquants(c).length === 0) continue;
    await modifierCandidature(
      deps.candidatures,
      c.id,
      (lue) => {
        const manquants = emetteursManquants(lue);
        if (manquants.length === 0) return undefined;
        const date = deps.horloge.maintenant().toISOString();
        nonRendus += manquants.length;
        const ajout: Avis[] = manquants.map((emetteur) => ({
          emetteur,
          avis: 'non_rendu',
          region: entree.region,
          date,
        }));
        return { champs: { avis: [...lue.avis, ...ajout] }, action: 'avis', source: SOURCE };
      },
      () => deps.horloge.maintenant(),
    );
  }
  return { nonRendus };
}

function mailDeResultat(c: Candidature, territoire: string | undefined) {
  const debut = `Bonjour,\n\nLe comité de pilotage national du programme Territoires d'industrie a examiné la candidature « ${c.nomTerritoire} » (campagne ${c.campagne}).\n\n`;
  const fin = "\n\nL'équipe du programme Territoires d'industrie (ANCT)";
  return territoire
    ? {
        objet: `Territoires d'industrie : la candidature « ${c.nomTerritoire} » est labellisée`,
        texte: `${debut}Elle est retenue : le territoire est labellisé Territoire d'industrie pour 2023-2027 (identifiant ${territoire}). Vous serez invités à la première assemblée générale des Territoires d'industrie ; les fiches-action de votre plan d'action pourront ensuite être déposées.${fin}`,
      }
    : {
        objet: `Territoires d'industrie : résultat de la candidature « ${c.nomTerritoire} »`,
        texte: `${debut}Elle n'a pas été retenue pour cette génération du programme. Les services de l'État en région et le conseil régional restent vos interlocuteurs.${fin}`,
      };
}

/**
 * The announcement applies the decision: every outcome first (statuses, territories), then the
 * notifications, then the phase. Re-running it changes nothing already done: a status already set is
 * kept, a territory already created is found (its id derives from the candidature), a notification
 * already sent is not sent again (a mark per candidature, reserved before sending, confirmed after).
 */
export async function annoncer(
  deps: DependancesEtapes & {
    territoires: TerritoireStore;
    marques: MarquesStore;
    notifications: NotificationsPort;
  },
  entree: EntreeEtape,
) {
  const campagne = await campagneDeLEtape(deps.campagnes, entree);
  const decision = campagne.decision;
  if (!decision)
    throw new ErreurEtape('DecisionAbsente', `La campagne ${campagne.id} n'a pas de décision nationale`);
  const labellisees = new Set(decision.labellisees);
  const nonRetenues = new Set(decision.nonRetenues);
  const maintenant = () => deps.horloge.maintenant();

  const candidatures = await candidaturesDe(deps.candidatures, campagne.id);
  const horsDecision = candidatures.filter((c) => !labellisees.has(c.id) && !nonRetenues.has(c.id));
  if (horsDecision.length > 0) {
    throw new ErreurEtape(
      'DecisionIncomplete',
      `La décision ne tranche pas ${horsDecision.map((c) => c.id).join(', ')}`,
    );
  }

  const resultats = await enParallele(candidatures, ENVOIS_SIMULTANES, async (c) => {
    const statut = labellisees.has(c.id) ? 'labellisee' : 'non_retenue';
    const tranchee = await modifierCandidature(
      deps.candidatures,
      c.id,
      (lue) =>
        lue.statut === statut ? undefined : { champs: { statut }, action: 'resultat', source: SOURCE },
      maintenant,
    );
    const territoire =
      statut === 'labellisee' ? (await creerTerritoireLabellise(deps, tranchee)).id : undefined;
    return { candidature: tranchee, territoire };
  });

  let envoyees = 0;
  let occupees = 0;
  await enParallele(resultats, ENVOIS_SIMULTANES, async ({ candidature: c, territoire }) => {
    const reservation = await deps.marques.reserverNotification(
      campagne.id,
      c.id,
      maintenant(),
      BAIL_NOTIFICATION_SECONDES,
    );
    if (reservation === 'envoyee') return;
    if (reservation === 'occupee') {
      occupees += 1;
      return;
    }
    const id = `${campagne.id}.${c.id}.resultat`;
    await deps.notifications.publier({
      id,
      type: 'Resultat de candidature',
      detail: {
        campagne: campagne.id,
        candidature: c.id,
        nomTerritoire: c.nomTerritoire,
        resultat: c.statut,
        ...(territoire ? { territoire } : {}),
        regions: c.regions,
      },
    });
    await deps.notifications.envoyerMail({ id, a: c.contact.email, ...mailDeResultat(c, territoire) });
    await deps.marques.confirmerNotification(campagne.id, c.id, maintenant().toISOString());
    envoyees += 1;
  });
  if (occupees > 0) {
    // Another run is sending them: retried later by the state machine, which then finds them sent.
    throw new ErreurEtape(
      'NotificationEnCours',
      `${occupees} notifications sont en cours d'envoi par ailleurs`,
    );
  }

  const termine: EtatCalendrier = {
    execution: campagne.calendrier?.execution ?? nomExecution(campagne.id, campagne.version),
    etat: 'termine',
    depuis: maintenant().toISOString(),
  };
  // One write: a reader never sees the campaign `terminee` with its calendar still running.
  const fin = await deps.campagnes.avancerPhase(campagne.id, campagne.version, 'terminee', termine);
  if (fin === 'perimee') {
    throw new ErreurEtape('CalendrierPerime', `La campagne ${entree.campagne} a changé de version`);
  }
  if (fin === 'inchangee') await deps.campagnes.enregistrerCalendrier(campagne.id, campagne.version, termine);
  return {
    labellisees: labellisees.size,
    nonRetenues: nonRetenues.size,
    territoires: resultats.flatMap((r) => (r.territoire ? [r.territoire] : [])),
    notifications: envoyees,
  };
}

/** A step failed for good (its retries spent): the campaign shows it, until the dates are sent again. */
export async function signalerEchec(
  deps: Pick<DependancesEtapes, 'campagnes' | 'horloge'>,
  entree: EntreeEtape & { erreur?: { Error?: string | undefined; Cause?: string | undefined } | undefined },
): Promise<{ enregistre: boolean }> {
  const campagne = await deps.campagnes.lire(entree.campagne);
  if (!campagne || campagne.version !== entree.version) return { enregistre: false };
  const cause = entree.erreur?.Cause ?? '';
  let message = cause;
  try {
    // Lambda errors arrive as {"errorType", "errorMessage", …} in Cause.
    message = (JSON.parse(cause) as { errorMessage?: string }).errorMessage ?? cause;
  } catch {
    // a plain text cause
  }
  const enregistre = await deps.campagnes.enregistrerCalendrier(campagne.id, campagne.version, {
    execution: campagne.calendrier?.execution ?? nomExecution(campagne.id, campagne.version),
    etat: 'echec',
    depuis: deps.horloge.maintenant().toISOString(),
    erreur: `${entree.erreur?.Error ?? 'Erreur'} : ${message}`.slice(0, 1000),
  });
  return { enregistre };
}

/**
 * Restarts the calendars that should run but do not (a local cloud restarted, an execution stopped
 * from the console): every step being idempotent, the new execution resumes where the campaign stands.
 * An execution that failed without reaching its failure step is recorded as a failure; a calendar in
 * failure waits for its dates to be sent again.
 */
export async function reprendreCalendriers(deps: {
  campagnes: EtatCampagneStore;
  calendrier: CalendrierPort;
  horloge: Horloge;
}): Promise<{ reprises: string[] }> {
  const reprises: string[] = [];
  for (const campagne of await deps.campagnes.lister()) {
    const suivi = campagne.calendrier;
    if (suivi?.etat !== 'en_cours') continue;
    if (campagne.phase !== undefined && RANG_PHASE[campagne.phase] >= RANG_PHASE.terminee) continue;
    const etat = await deps.calendrier.etat(suivi.execution);
    if (etat === 'en_cours' || etat === 'terminee') continue;
    const maintenant = deps.horloge.maintenant();
    if (etat === 'echouee') {
      // A failure no Catch can take (States.Runtime, the execution's time limit) skips SignalerEchec.
      await deps.campagnes.enregistrerCalendrier(campagne.id, campagne.version, {
        ...suivi,
        etat: 'echec',
        depuis: maintenant.toISOString(),
        erreur: `L'exécution ${suivi.execution} a échoué sans étape pour le signaler : voir son historique`,
      });
      continue;
    }
    const execution = nomExecution(campagne.id, campagne.version, maintenant);
    await deps.calendrier.demarrer(execution, { campagne: campagne.id, version: campagne.version });
    await deps.campagnes.enregistrerCalendrier(campagne.id, campagne.version, {
      execution,
      etat: 'en_cours',
      depuis: maintenant.toISOString(),
    });
    reprises.push(execution);
  }
  return { reprises };
}
