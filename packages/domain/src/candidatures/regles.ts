import { type Campagne, dernierJourProgramme } from '../campagnes/campagne';
import { regleMetier, type Violation } from '../commun/erreurs';
import { siretValide } from '../commun/identifiants';
import { dateFr } from '../commun/temps';
import {
  derivePerimetre,
  type Epci,
  epci,
  estMetropole,
  nomRegion,
  type PerimetreDerive,
} from '../geographie/officielle';
import type { CandidatureSaisie } from './schema';

/**
 * The FAQ's rules for a candidature (seed 002): perimeter (§2), governance (§4.4), action plan (§3.1),
 * letters of intent (§4.5). Returns the derived geography, or throws every violation at once.
 */
export function verifierCandidature(saisie: CandidatureSaisie, campagne: Campagne): PerimetreDerive {
  const violations: Violation[] = [];
  const connus: Epci[] = [];

  saisie.perimetre.epcis.forEach((siren, i) => {
    const e = epci(siren);
    if (e) connus.push(e);
    else
      violations.push({
        path: `perimetre.epcis[${i}]`,
        message: `Le SIREN ${siren} n'est pas celui d'un EPCI à fiscalité propre de la géographie officielle`,
      });
  });
  const derive = derivePerimetre(connus);

  if (saisie.perimetre.epcis.length === 1 && !saisie.perimetre.justificationEpciUnique) {
    violations.push({
      path: 'perimetre.justificationEpciUnique',
      message: "Un périmètre d'un seul EPCI doit justifier de sa taille critique",
    });
  }
  const metropoles = connus.filter(estMetropole);
  if (metropoles.length > 0 && !saisie.perimetre.justificationMetropole) {
    violations.push({
      path: 'perimetre.justificationMetropole',
      message: `Le périmètre contient une métropole (${metropoles.map((m) => m.nom).join(', ')}) : justifiez d'importants enjeux de transitions industrielles`,
    });
  }

  if (derive.regions.length > 1) {
    const liste = derive.regions.map((r) => `${r} (${nomRegion(r)})`).join(', ');
    if (!saisie.regionPilote) {
      violations.push({
        path: 'regionPilote',
        message: `Le périmètre couvre plusieurs régions (${liste}) : indiquez la région pilote`,
      });
    } else if (!derive.regions.includes(saisie.regionPilote)) {
      violations.push({
        path: 'regionPilote',
        message: `La région pilote doit être l'une des régions du périmètre : ${liste}`,
      });
    }
  } else if (saisie.regionPilote && connus.length > 0 && saisie.regionPilote !== derive.regions[0]) {
    violations.push({
      path: 'regionPilote',
      message: `La région pilote doit être celle du périmètre (${derive.regions[0]})`,
    });
  }

  if (!siretValide(saisie.gouvernance.industriel.siret)) {
    violations.push({
      path: 'gouvernance.industriel.siret',
      message: 'SIRET invalide (clé de contrôle erronée)',
    });
  }
  if ((saisie.gouvernance.autresMembres?.length ?? 0) > 0 && !saisie.gouvernance.justificationPolynome) {
    violations.push({
      path: 'gouvernance.justificationPolynome',
      message: 'Une gouvernance élargie au-delà du binôme élu-industriel doit être justifiée',
    });
  }

  const fin = dernierJourProgramme(campagne);
  saisie.planAction.forEach((action, i) => {
    if (action.echeance && action.echeance > fin) {
      violations.push({
        path: `planAction[${i}].echeance`,
        message: `L'échéance doit être au plus tard le ${dateFr(fin)}, fin du programme`,
      });
    }
  });

  const qualites = new Set(saisie.lettresIntention.map((l) => l.qualite));
  if (!qualites.has('elu')) {
    violations.push({
      path: 'lettresIntention',
      message: "Au moins une lettre d'intention d'un élu est requise",
    });
  }
  if (!qualites.has('industriel')) {
    violations.push({
      path: 'lettresIntention',
      message: "Au moins une lettre d'intention d'un industriel est requise",
    });
  }

  if (violations.length > 0)
    throw regleMetier('La candidature ne respecte pas les règles du programme', violations);
  return derive;
}
