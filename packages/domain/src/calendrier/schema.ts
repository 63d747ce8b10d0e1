import * as z from 'zod';
import { slug, texte } from '../commun/schemas';

/** Who gives a regional opinion on a candidature (FAQ §1.3: the conseil régional and the SGAR). */
export const EMETTEURS = ['conseil_regional', 'prefecture_region'] as const;
export const Emetteur = z.enum(EMETTEURS);
export type Emetteur = z.infer<typeof Emetteur>;

/** `POST /candidatures/{id}/avis`: the "avis d'opportunité" of one of the two regional bodies. */
export const AvisSaisie = z
  .object({
    emetteur: Emetteur.meta({ description: 'Le conseil régional ou la préfecture de région (SGAR)' }),
    avis: z.enum(['favorable', 'reserve', 'defavorable']),
    motivation: texte(4000),
  })
  .strict()
  .meta({ id: 'AvisSaisie' });
export type AvisSaisie = z.infer<typeof AvisSaisie>;

/** An opinion as kept on the candidature; `non_rendu` is recorded by the calendar at the deadline. */
export const Avis = z
  .object({
    emetteur: Emetteur,
    avis: z.enum(['favorable', 'reserve', 'defavorable', 'non_rendu']),
    motivation: z.string().optional(),
    region: z.string().optional().meta({ description: 'Région de l’opérateur qui l’a rendu' }),
    auteur: z.string().optional(),
    date: z.string(),
  })
  .meta({ id: 'Avis' });
export type Avis = z.infer<typeof Avis>;

const idsCandidatures = z
  .array(z.string().min(1).max(100))
  .max(2000)
  .meta({ description: 'Identifiants de candidatures de la campagne' });

/** `POST /campagnes/{id}/decision`: the national committee's choice, covering every candidature once. */
export const DecisionSaisie = z
  .object({ labellisees: idsCandidatures, nonRetenues: idsCandidatures })
  .strict()
  .meta({ id: 'DecisionSaisie' });
export type DecisionSaisie = z.infer<typeof DecisionSaisie>;

export const Decision = DecisionSaisie.extend({
  campagne: z.string(),
  decideeLe: z.string(),
  auteur: z.string(),
}).meta({ id: 'Decision' });
export type Decision = z.infer<typeof Decision>;

/** Where the campaign's calendar (its Step Functions execution) stands. */
export const EtatCalendrier = z
  .object({
    execution: z.string(),
    etat: z.enum(['en_cours', 'termine', 'echec']),
    depuis: z.string(),
    erreur: z.string().optional().meta({ description: 'Ce qui a échoué, quand etat = echec' }),
  })
  .meta({ id: 'EtatCalendrier' });
export type EtatCalendrier = z.infer<typeof EtatCalendrier>;

/** What every step of the state machine receives: the campaign and the version its execution serves. */
export const EntreeEtape = z.object({ campagne: slug, version: z.number().int().positive() });
export type EntreeEtape = z.infer<typeof EntreeEtape>;
