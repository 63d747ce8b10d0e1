import * as z from 'zod';
import { montant } from '../commun/montants';
import { codeRegion, dateJour, priorite, siret, texte } from '../commun/schemas';

export const MATURITES = ['idee', 'etude', 'pret', 'en_cours'] as const;
export const TYPES_PORTEUR = [
  'collectivite',
  'epci',
  'entreprise',
  'gie',
  'gip',
  'association',
  'autre',
] as const;
export const TYPES_FINANCEUR = [
  'etat',
  'region',
  'departement',
  'epci',
  'commune',
  'bpifrance',
  'ademe',
  'banque_des_territoires',
  'europe',
  'prive',
  'autre',
] as const;
export const STATUTS_SOURCE = ['acquis', 'sollicite', 'envisage'] as const;

/** Indicator values beyond this are typing mistakes; below it, DynamoDB and JS numbers stay exact. */
export const VALEUR_INDICATEUR_MAX = 1e15;

/**
 * A value of a follow-up indicator (a count, a percentage, tonnes…): bounded and with at most 6
 * decimals, so that what is stored is what was sent (1e300 or 1e-200 cannot be stored in DynamoDB).
 */
const valeurIndicateur = z
  .number({ error: 'Nombre attendu' })
  .finite()
  .min(-VALEUR_INDICATEUR_MAX, 'Valeur hors limites')
  .max(VALEUR_INDICATEUR_MAX, 'Valeur hors limites')
  .refine((v) => Number(v.toFixed(6)) === v, 'La valeur a au plus 6 décimales');

export const SourceFinancement = z.object({
  financeur: texte(200),
  type: z.enum(TYPES_FINANCEUR),
  montant: montant.refine((m) => m > 0, 'Le montant d’une source de financement est positif'),
  statut: z.enum(STATUTS_SOURCE),
});
export type SourceFinancement = z.infer<typeof SourceFinancement>;

/**
 * `POST /territoires/{id}/fiches-action`, `PUT /fiches-action/{id}`: the detailed sheet of one action
 * of a labelled territory's plan (FAQ §3.2): description, porteur, stakeholders, financing, calendar,
 * follow-up indicators. An action already under way is welcome (§3.3, `maturite: en_cours`).
 */
export const FicheActionSaisie = z
  .object({
    titre: texte(200),
    description: texte(8000),
    priorite,
    maturite: z.enum(MATURITES),
    porteur: z.object({
      nom: texte(200),
      type: z.enum(TYPES_PORTEUR),
      siret: siret.optional().meta({ description: 'SIRET de l’établissement porteur, quand il en a un' }),
    }),
    partiesPrenantes: z.array(z.object({ nom: texte(200), role: texte(500).optional() })).max(50),
    financement: z.object({
      coutTotal: montant.meta({ description: 'Coût total de l’action, en euros' }),
      sources: z.array(SourceFinancement).max(30),
    }),
    calendrier: z.object({
      debut: dateJour,
      fin: dateJour.meta({ description: 'Au plus tard à la fin du programme (31/12/2027 pour 2023-2027)' }),
      jalons: z
        .array(z.object({ libelle: texte(200), date: dateJour }))
        .max(30)
        .optional(),
    }),
    indicateurs: z
      .array(
        z.object({
          libelle: texte(200),
          unite: texte(50),
          valeurInitiale: valeurIndicateur.optional(),
          cible: valeurIndicateur,
          echeance: dateJour.optional(),
        }),
      )
      .min(1, 'La fiche-action compte au moins un indicateur de suivi')
      .max(20),
  })
  .strict()
  .meta({ id: 'FicheActionSaisie' });
export type FicheActionSaisie = z.infer<typeof FicheActionSaisie>;

export const STATUTS_FICHE = ['deposee', 'validee', 'a_completer'] as const;
export const StatutFiche = z.enum(STATUTS_FICHE);
export type StatutFiche = z.infer<typeof StatutFiche>;

/** The regional operator's decision on a submitted fiche. */
export const InstructionFiche = z
  .object({
    decision: z.enum(['validee', 'a_completer']),
    motif: texte(4000)
      .optional()
      .meta({ description: 'Requis pour une demande de compléments ; gardé dans l’historique' }),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.decision === 'a_completer' && !v.motif) {
      ctx.addIssue({ code: 'custom', path: ['motif'], message: 'Indiquez ce qui est à compléter' });
    }
  })
  .meta({ id: 'InstructionFiche' });
export type InstructionFiche = z.infer<typeof InstructionFiche>;

export const EvenementFiche = z
  .object({
    version: z.number().int(),
    date: z.string(),
    auteur: z.string().meta({ description: 'Source (formulaire) ou opérateur' }),
    action: z.enum(['depot', 'modification', 'validation', 'demande_complements']),
    statut: StatutFiche.meta({ description: 'Statut de la fiche après cet événement' }),
    champs: z
      .array(z.string())
      .optional()
      .meta({ description: 'Champs modifiés par rapport à la version précédente' }),
    motif: z.string().optional(),
  })
  .meta({ id: 'EvenementFiche' });
export type EvenementFiche = z.infer<typeof EvenementFiche>;

/** A fiche-action as stored and returned: the submission plus what the system derives. */
export const FicheAction = FicheActionSaisie.extend({
  id: z.string(),
  territoire: z.string(),
  statut: StatutFiche,
  besoinFinancement: z
    .number()
    .meta({ description: 'coutTotal − somme des sources acquises, calculé en centimes, en euros' }),
  deposeeLe: z.string(),
  modifieeLe: z.string(),
  source: z.string().meta({ description: 'Source (formulaire) qui a déposé la fiche' }),
  version: z.number().int(),
  instruction: z
    .object({
      decision: z.enum(['validee', 'a_completer']),
      motif: z.string().optional(),
      par: z.string(),
      le: z.string(),
    })
    .optional()
    .meta({ description: 'Dernière décision de l’opérateur régional' }),
}).meta({ id: 'FicheAction' });
export type FicheAction = z.infer<typeof FicheAction>;

export const FicheActionDetaillee = FicheAction.extend({ historique: z.array(EvenementFiche) }).meta({
  id: 'FicheActionDetaillee',
});

export const PageFichesAction = z
  .object({ items: z.array(FicheAction), nextCursor: z.string().nullable() })
  .meta({ id: 'PageFichesAction' });

export const FiltreFichesTerritoire = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(4096).optional(),
});
export type FiltreFichesTerritoire = z.infer<typeof FiltreFichesTerritoire>;

export const FORMATS_EXPORT = ['json', 'csv', 'xlsx'] as const;

export const FiltreExportFiches = z.object({
  region: codeRegion.optional(),
  priorite: priorite.optional(),
  format: z.enum(FORMATS_EXPORT).default('json'),
  limit: z.coerce.number().int().min(1).max(100).default(50).meta({ description: 'format=json seulement' }),
  cursor: z.string().max(4096).optional().meta({ description: 'format=json seulement' }),
});
export type FiltreExportFiches = z.infer<typeof FiltreExportFiches>;

/** `format=csv|xlsx`: where the file is (also in `Location` of the 303). */
export const FichierExport = z
  .object({
    url: z.string().meta({ description: 'URL présignée (GET) du fichier' }),
    expiresAt: z.string(),
    format: z.enum(['csv', 'xlsx']),
    lignes: z.number().int().meta({ description: 'Nombre de fiches exportées' }),
  })
  .meta({ id: 'FichierExport' });
export type FichierExport = z.infer<typeof FichierExport>;
