import { type Campagne, type CampagneDates, phaseCourante } from '../campagnes/campagne';
import { enregistrerCampagne } from '../campagnes/service';
import type { CampagneStore, CandidatureStore, Horloge } from '../candidatures/ports';
import type { Candidature } from '../candidatures/schema';
import { exigerAccesRegions, exigerNational, type Operateur } from '../commun/acces';
import { conflit, interdit, introuvable, regleMetier, type Violation } from '../commun/erreurs';
import { dateFr, dateParis } from '../commun/temps';
import { candidaturesDe, modifierCandidature, regionComplete } from './candidatures';
import { nomExecution } from './echeances';
import type { CalendrierPort, EtatCampagneStore, JetonsPort } from './ports';
import type { Avis, AvisSaisie, Decision, DecisionSaisie, EtatCalendrier } from './schema';

const PHASE_EN_CLAIR = {
  a_venir: 'à venir',
  ouverte: 'ouverte au dépôt',
  instruction_regionale: 'en instruction régionale',
  selection_nationale: 'en sélection nationale',
  attente_annonce: 'en attente de l’annonce',
  terminee: 'terminée',
} as const;

/**
 * Starts the calendar of this version of the campaign's dates: one execution per version, named after
 * it (a retried request finds it started). The execution of the previous version is stopped: it must
 * not act on dates that changed. Every step is idempotent and the phase only moves forward, so the new
 * execution passes quickly over what is already done.
 */
export async function demarrerCalendrier(
  deps: { calendrier: CalendrierPort; etat: EtatCampagneStore; horloge: Horloge },
  campagne: Campagne,
  precedente: Campagne | undefined,
): Promise<EtatCalendrier> {
  const execution = nomExecution(campagne.id, campagne.version);
  const ancienne = precedente?.calendrier?.execution;
  if (ancienne && ancienne !== execution) {
    await deps.calendrier.arreter(ancienne, `Dates de la campagne modifiées (version ${campagne.version})`);
  }
  await deps.calendrier.demarrer(execution, { campagne: campagne.id, version: campagne.version });
  const etat: EtatCalendrier = {
    execution,
    etat: 'en_cours',
    depuis: deps.horloge.maintenant().toISOString(),
  };
  // A newer version written in between starts its own execution; this one then stops by itself.
  await deps.etat.enregistrerCalendrier(campagne.id, campagne.version, etat);
  return etat;
}

/** `PUT /campagnes/{id}`: the dates, then the selection calendar of this version. */
export async function programmerCampagne(
  deps: { campagnes: CampagneStore; etat: EtatCampagneStore; calendrier: CalendrierPort; horloge: Horloge },
  id: string,
  dates: CampagneDates,
  operateur: Operateur,
) {
  const { campagne, creee, precedente } = await enregistrerCampagne(deps, id, dates, operateur);
  const calendrier = await demarrerCalendrier(deps, campagne, precedente);
  const enregistree: Campagne = {
    ...campagne,
    calendrier,
    ...(precedente?.phase ? { phase: precedente.phase } : {}),
  };
  return {
    campagne: { ...campagne, phase: phaseCourante(enregistree, deps.horloge.maintenant()), calendrier },
    creee,
  };
}

/** Refuses unless the campaign, as read (`undefined`: it does not exist), is in the phase `attendue`. */
function exigerPhase(
  campagne: Campagne | undefined,
  id: string,
  attendue: 'instruction_regionale' | 'selection_nationale',
  maintenant: Date,
  quoi: string,
): void {
  if (!campagne) throw introuvable(`La campagne ${id} n'existe pas`);
  const phase = phaseCourante(campagne, maintenant);
  if (phase !== attendue) {
    throw conflit(
      `${quoi} pendant la phase « ${PHASE_EN_CLAIR[attendue]} » ; la campagne « ${id} » est ${PHASE_EN_CLAIR[phase]}.`,
    );
  }
}

/**
 * `POST /candidatures/{id}/avis`: a regional operator of one of the candidature's regions gives the
 * opinion of its conseil régional or of its préfecture de région, during the regional review. A second
 * opinion of the same body replaces the first (the history keeps both). When every candidature of a
 * region has both opinions, the calendar's wait for that region ends at once.
 */
export async function rendreAvis(
  deps: { candidatures: CandidatureStore; campagnes: CampagneStore; jetons: JetonsPort; horloge: Horloge },
  id: string,
  saisie: AvisSaisie,
  operateur: Operateur,
): Promise<Candidature> {
  if (operateur.role !== 'regional' || !operateur.region) {
    throw interdit(
      'Les avis sont rendus par les opérateurs régionaux (conseil régional, préfecture de région)',
    );
  }
  const region = operateur.region;
  const existante = await deps.candidatures.lire(id);
  if (!existante) throw introuvable(`La candidature ${id} n'existe pas`);
  exigerAccesRegions(operateur, existante.regions);
  exigerPhase(
    await deps.campagnes.lire(existante.campagne),
    existante.campagne,
    'instruction_regionale',
    deps.horloge.maintenant(),
    'Les avis régionaux se rendent',
  );
  const maintenant = () => deps.horloge.maintenant();
  const candidature = await modifierCandidature(
    deps.candidatures,
    id,
    (c) => {
      const avis: Avis = { ...saisie, region, auteur: operateur.id, date: maintenant().toISOString() };
      return {
        champs: { avis: [...c.avis.filter((a) => a.emetteur !== saisie.emetteur), avis] },
        action: 'avis',
        source: operateur.id,
      };
    },
    maintenant,
  );
  for (const code of candidature.regions) {
    if (await regionComplete(deps.candidatures, candidature.campagne, code, candidature)) {
      await deps.jetons.reprendre(
        { campagne: candidature.campagne, etape: 'avis', region: code },
        { region: code, avis: 'complets' },
      );
    }
  }
  return candidature;
}

/**
 * The committee decides on every candidature of the campaign exactly once: each id must be one of the
 * campaign's candidatures, appear once across both lists, and none may be left out.
 */
export function verifierDecision(
  saisie: DecisionSaisie,
  candidatures: Candidature[],
  campagne: string,
): Violation[] {
  const parId = new Map(candidatures.map((c) => [c.id, c]));
  const vus = new Map<string, string>();
  const violations: Violation[] = [];
  for (const liste of ['labellisees', 'nonRetenues'] as const) {
    saisie[liste].forEach((id, i) => {
      const path = `${liste}[${i}]`;
      if (!parId.has(id)) {
        violations.push({
          path,
          message: `La candidature ${id} n'est pas une candidature de la campagne « ${campagne} »`,
        });
        return;
      }
      const deja = vus.get(id);
      if (deja) {
        violations.push({ path, message: `La candidature ${id} figure déjà en ${deja}` });
        return;
      }
      vus.set(id, path);
    });
  }
  for (const c of candidatures) {
    if (!vus.has(c.id)) {
      violations.push({
        path: '',
        message: `La candidature ${c.id} (« ${c.nomTerritoire} ») n'est ni labellisée ni non retenue`,
      });
    }
  }
  return violations;
}

/**
 * `POST /campagnes/{id}/decision`: the national committee's decision, during the national selection,
 * once. It is kept on the campaign and applied at the announcement; the calendar's wait ends at once.
 */
export async function rendreDecision(
  deps: {
    campagnes: EtatCampagneStore;
    candidatures: CandidatureStore;
    jetons: JetonsPort;
    horloge: Horloge;
  },
  id: string,
  saisie: DecisionSaisie,
  operateur: Operateur,
): Promise<Decision> {
  exigerNational(operateur);
  const maintenant = deps.horloge.maintenant();
  const campagne = await deps.campagnes.lire(id);
  if (campagne?.decision) {
    throw conflit(
      `La décision de la campagne « ${id} » a déjà été rendue le ${dateFr(dateParis(new Date(campagne.decision.decideeLe)))}`,
    );
  }
  exigerPhase(campagne, id, 'selection_nationale', maintenant, 'La décision nationale se rend');
  const violations = verifierDecision(saisie, await candidaturesDe(deps.candidatures, id), id);
  if (violations.length > 0) {
    throw regleMetier(
      'La décision doit trancher chaque candidature de la campagne, une seule fois',
      violations,
    );
  }
  const decision: Decision = {
    ...saisie,
    campagne: id,
    decideeLe: maintenant.toISOString(),
    auteur: operateur.id,
  };
  if (!(await deps.campagnes.enregistrerDecision(id, decision))) {
    throw conflit(`La décision de la campagne « ${id} » vient d’être rendue par ailleurs`);
  }
  await deps.jetons.reprendre(
    { campagne: id, etape: 'decision' },
    { labellisees: saisie.labellisees.length, nonRetenues: saisie.nonRetenues.length },
  );
  return decision;
}
