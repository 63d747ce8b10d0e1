import type {
  CalendrierPort,
  CleJeton,
  EtatCampagneStore,
  Evenement,
  JetonsPort,
  Mail,
  MarquesStore,
  NotificationsPort,
} from '@ti/domain/calendrier/ports';
import { type Campagne, RANG_PHASE } from '@ti/domain/campagnes/campagne';
import type { CampagneStore, CandidatureStore, Horloge } from '@ti/domain/candidatures/ports';
import type { Candidature, Modification } from '@ti/domain/candidatures/schema';
import type { TerritoireStore } from '@ti/domain/territoires/ports';
import type { Territoire } from '@ti/domain/territoires/schema';

/** In-memory adapters of the selection calendar's ports, for unit tests (no network). */

const copie = <T>(v: T): T => JSON.parse(JSON.stringify(v));

export function horloge(iso: string): Horloge & { regler(iso: string): void; avancer(ms: number): void } {
  let t = new Date(iso).getTime();
  return {
    maintenant: () => new Date(t),
    regler: (autre) => {
      t = new Date(autre).getTime();
    },
    avancer: (ms) => {
      t += ms;
    },
  };
}

export function candidaturesEnMemoire(): CandidatureStore & {
  parId: Map<string, Candidature>;
  versions: (Modification & { id: string })[];
  /** Makes the next `remplacer` of this id fail once (another write came first). */
  concurrence(id: string): void;
} {
  const parId = new Map<string, Candidature>();
  const versions: (Modification & { id: string })[] = [];
  const concurrentes = new Set<string>();
  return {
    parId,
    versions,
    concurrence: (id) => concurrentes.add(id),
    async creer(c, m) {
      if (parId.has(c.id)) return false;
      parId.set(c.id, copie(c));
      versions.push({ ...copie(m), id: c.id });
      return true;
    },
    async remplacer(c, m, versionLue) {
      if (concurrentes.delete(c.id)) {
        const stockee = parId.get(c.id) as Candidature;
        parId.set(c.id, { ...stockee, version: stockee.version + 1 });
        return false;
      }
      if (parId.get(c.id)?.version !== versionLue) return false;
      parId.set(c.id, copie(c));
      versions.push({ ...copie(m), id: c.id });
      return true;
    },
    async lire(id) {
      const c = parId.get(id);
      return c ? copie(c) : undefined;
    },
    async historique(id) {
      return versions.filter((v) => v.id === id).map(({ id: _id, ...m }) => m);
    },
    async lister(filtre, limit, cursor) {
      const tous = [...parId.values()]
        .filter((c) => !filtre.campagne || c.campagne === filtre.campagne)
        .filter((c) => !filtre.region || c.regions.includes(filtre.region))
        .filter((c) => !filtre.statut || c.statut === filtre.statut)
        .sort((a, b) => `${a.deposeeLe}#${a.id}`.localeCompare(`${b.deposeeLe}#${b.id}`));
      const debut = cursor ? Number(cursor) : 0;
      return {
        items: tous.slice(debut, debut + limit).map(copie),
        nextCursor: debut + limit < tous.length ? String(debut + limit) : null,
      };
    },
    async compterParRegion() {
      return [];
    },
  };
}

export function campagnesEnMemoire(
  ...campagnes: Campagne[]
): CampagneStore & EtatCampagneStore & { parId: Map<string, Campagne> } {
  const parId = new Map(campagnes.map((c) => [c.id, copie(c)]));
  return {
    parId,
    async lire(id) {
      const c = parId.get(id);
      return c ? copie(c) : undefined;
    },
    async enregistrer(campagne, versionLue) {
      const stockee = parId.get(campagne.id);
      if ((stockee?.version ?? undefined) !== versionLue) return false;
      // The dates only: what the calendar wrote stays (as the DynamoDB adapter does).
      parId.set(campagne.id, {
        ...copie(campagne),
        ...(stockee?.phase ? { phase: stockee.phase } : {}),
        ...(stockee?.calendrier ? { calendrier: stockee.calendrier } : {}),
        ...(stockee?.decision ? { decision: stockee.decision } : {}),
      });
      return true;
    },
    async avancerPhase(id, version, phase, calendrier) {
      const c = parId.get(id);
      if (!c || c.version !== version) return 'perimee';
      if (c.phase && RANG_PHASE[c.phase] >= RANG_PHASE[phase]) return 'inchangee';
      c.phase = phase;
      if (calendrier) c.calendrier = copie(calendrier);
      return 'avancee';
    },
    async enregistrerCalendrier(id, version, etat) {
      const c = parId.get(id);
      if (!c || c.version !== version) return false;
      c.calendrier = copie(etat);
      return true;
    },
    async enregistrerDecision(id, decision) {
      const c = parId.get(id);
      if (!c || c.decision) return false;
      c.decision = copie(decision);
      return true;
    },
    async lister() {
      return [...parId.values()].map(copie);
    },
  };
}

const cleDe = (cle: CleJeton) =>
  cle.etape === 'avis' ? `${cle.campagne}/avis/${cle.region}` : `${cle.campagne}/decision`;

export function jetonsEnMemoire(): JetonsPort & {
  gardes: Map<string, string>;
  reprises: { cle: string; jeton: string; sortie: Record<string, unknown> }[];
} {
  const gardes = new Map<string, string>();
  const reprises: { cle: string; jeton: string; sortie: Record<string, unknown> }[] = [];
  return {
    gardes,
    reprises,
    async garder(cle, jeton) {
      gardes.set(cleDe(cle), jeton);
    },
    async reprendre(cle, sortie) {
      const jeton = gardes.get(cleDe(cle));
      if (!jeton) return false;
      gardes.delete(cleDe(cle));
      reprises.push({ cle: cleDe(cle), jeton, sortie });
      return true;
    },
  };
}

export function marquesEnMemoire(): MarquesStore & {
  rappels: Map<string, string>;
  notifications: Map<string, { etat: 'envoi' | 'envoyee'; depuis: string }>;
} {
  const rappels = new Map<string, string>();
  const notifications = new Map<string, { etat: 'envoi' | 'envoyee'; depuis: string }>();
  return {
    rappels,
    notifications,
    async rappelEnvoye(campagne, region) {
      return rappels.has(`${campagne}/${region}`);
    },
    async marquerRappel(campagne, region, date) {
      rappels.set(`${campagne}/${region}`, date);
    },
    async reserverNotification(campagne, candidature, maintenant, bail) {
      const cle = `${campagne}/${candidature}`;
      const m = notifications.get(cle);
      if (m?.etat === 'envoyee') return 'envoyee';
      if (m && Date.parse(m.depuis) >= maintenant.getTime() - bail * 1000) return 'occupee';
      notifications.set(cle, { etat: 'envoi', depuis: maintenant.toISOString() });
      return 'reservee';
    },
    async confirmerNotification(campagne, candidature, date) {
      notifications.set(`${campagne}/${candidature}`, { etat: 'envoyee', depuis: date });
    },
  };
}

export function notificationsEnMemoire(): NotificationsPort & { mails: Mail[]; evenements: Evenement[] } {
  const mails: Mail[] = [];
  const evenements: Evenement[] = [];
  return {
    mails,
    evenements,
    async envoyerMail(mail) {
      mails.push(copie(mail));
    },
    async publier(evenement) {
      evenements.push(copie(evenement));
    },
  };
}

export function territoiresEnMemoire(): TerritoireStore & {
  parId: Map<string, Territoire>;
  ecritures: number;
} {
  const parId = new Map<string, Territoire>();
  const store = {
    parId,
    ecritures: 0,
    async lire(id: string) {
      const t = parId.get(id);
      return t ? copie(t) : undefined;
    },
    async lirePlusieurs(ids: readonly string[]) {
      return new Map(ids.filter((id) => parId.has(id)).map((id) => [id, copie(parId.get(id) as Territoire)]));
    },
    async enregistrer(t: Territoire, precedent: Territoire | undefined) {
      if (precedent === undefined && parId.has(t.id)) return false;
      parId.set(t.id, copie(t));
      store.ecritures += 1;
      return true;
    },
    async lister() {
      return { items: [], nextCursor: null };
    },
    async territoiresDeCommunes() {
      return new Map<string, string[]>();
    },
  };
  return store;
}

export function calendrierEnMemoire(): CalendrierPort & {
  executions: Map<string, { entree: unknown; etat: 'en_cours' | 'terminee' | 'echouee' | 'arretee' }>;
  arrets: string[];
} {
  const executions = new Map<
    string,
    { entree: unknown; etat: 'en_cours' | 'terminee' | 'echouee' | 'arretee' }
  >();
  const arrets: string[] = [];
  return {
    executions,
    arrets,
    async demarrer(execution, entree) {
      if (executions.has(execution)) return 'deja_demarree';
      executions.set(execution, { entree, etat: 'en_cours' });
      return 'demarree';
    },
    async arreter(execution) {
      arrets.push(execution);
      const e = executions.get(execution);
      if (e?.etat !== 'en_cours') return false;
      e.etat = 'arretee';
      return true;
    },
    async etat(execution) {
      return executions.get(execution)?.etat ?? 'inconnue';
    },
  };
}
