import { regleMetier, type Violation } from '../commun/erreurs';
import { siretValide } from '../commun/identifiants';
import { centimesEnTexte, enCentimes, sommeCentimes } from '../commun/montants';
import { dateFr } from '../commun/temps';
import type { FicheActionSaisie } from './schema';

/** coutTotal − the `acquis` sources, in cents. */
export function besoinFinancementCentimes(financement: FicheActionSaisie['financement']): number {
  const acquis = financement.sources.filter((s) => s.statut === 'acquis').map((s) => s.montant);
  return enCentimes(financement.coutTotal) - sommeCentimes(acquis);
}

/**
 * The programme's rules for a fiche-action: the sources' total within the total cost (in cents),
 * a calendar that ends after it starts and no later than `finProgramme` (`YYYY-MM-DD`), milestones
 * within the calendar, a valid porteur SIRET when given. Throws every violation at once.
 */
export function verifierFiche(saisie: FicheActionSaisie, finProgramme: string): void {
  const violations: Violation[] = [];

  if (saisie.porteur.siret !== undefined && !siretValide(saisie.porteur.siret)) {
    violations.push({ path: 'porteur.siret', message: 'SIRET invalide (clé de contrôle erronée)' });
  }

  const cout = enCentimes(saisie.financement.coutTotal);
  const total = sommeCentimes(saisie.financement.sources.map((s) => s.montant));
  if (total > cout) {
    violations.push({
      path: 'financement.sources',
      message: `Le total des sources de financement (${centimesEnTexte(total)}) dépasse le coût total de l'action (${centimesEnTexte(cout)})`,
    });
  }

  const { debut, fin, jalons = [] } = saisie.calendrier;
  if (fin < debut) {
    violations.push({
      path: 'calendrier.fin',
      message: `La fin (${dateFr(fin)}) précède le début (${dateFr(debut)})`,
    });
  }
  if (fin > finProgramme) {
    violations.push({
      path: 'calendrier.fin',
      message: `L'action doit s'achever au plus tard le ${dateFr(finProgramme)}, fin du programme`,
    });
  }
  jalons.forEach((jalon, i) => {
    if (jalon.date < debut || jalon.date > fin) {
      violations.push({
        path: `calendrier.jalons[${i}].date`,
        message: `Le jalon doit se situer entre le début (${dateFr(debut)}) et la fin (${dateFr(fin)}) de l'action`,
      });
    }
  });

  if (violations.length > 0)
    throw regleMetier('La fiche-action ne respecte pas les règles du programme', violations);
}
