import * as z from 'zod';
import { codeRegion } from '../commun/schemas';

/** The sub-stakes of the ecological transition, as Bpifrance writes them. */
export const ENJEUX_TE = [
  'Hydrogène et énergies vertes',
  'Biosourcé',
  'Optimisation énergie et ressources',
  'Décarbonation',
  'Recyclage et économie circulaire',
] as const;
export type EnjeuTE = (typeof ENJEUX_TE)[number];

export const CATEGORIES = ['TPE', 'PME', 'ETI', 'GE', 'Association'] as const;
export type Categorie = (typeof CATEGORIES)[number];

const euros = z.number().meta({ description: 'Euros, au plus 2 décimales' });

/** `GET /laureats`: a laureate project of the acceleration fund, as the last export that changed it wrote it. */
export const Laureat = z
  .object({
    identifiantProjet: z.string().meta({ description: 'Identifiant Bpifrance, ex. FAIIT-2021-004512' }),
    dispositif: z.string(),
    dateDecision: z.string().meta({ description: 'AAAA-MM-JJ' }),
    raisonSociale: z.string(),
    siret: z.string(),
    categorie: z.enum(CATEGORIES).nullable(),
    codeNaf: z.string().nullable().meta({ description: 'NAF rév. 2, ex. 25.62B' }),
    intitule: z.string(),
    codeCommune: z.string().meta({ description: 'Code INSEE de la commune du site (géographie actuelle)' }),
    codeRegion: z.string().meta({ description: 'Région de la commune' }),
    territoires: z
      .array(z.string())
      .meta({ description: 'Territoires d’industrie (toutes générations) dont la commune fait partie' }),
    investissement: euros,
    aideEtat: euros,
    aideRegion: euros,
    emploisPrevus: z.number().int(),
    relocalisation: z.boolean(),
    formation: z.boolean(),
    transitionEcologique: z.boolean(),
    enjeuxTE: z.array(z.enum(ENJEUX_TE)),
    territoireFragile: z.boolean(),
    importId: z.string().meta({ description: 'L’import qui a écrit cette version' }),
  })
  .meta({ id: 'Laureat' });
export type Laureat = z.infer<typeof Laureat>;

export const FiltreLaureats = z.object({
  region: codeRegion.optional(),
  territoire: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, 'Identifiant de territoire attendu, ex. ti-8418')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2048).optional(),
});
export type FiltreLaureats = z.infer<typeof FiltreLaureats>;

export const PageLaureats = z
  .object({ items: z.array(Laureat), nextCursor: z.string().nullable() })
  .meta({ id: 'PageLaureats' });

export const STATUTS_IMPORT = ['en_cours', 'termine', 'rejete'] as const;
export type StatutImport = (typeof STATUTS_IMPORT)[number];

export const Compteurs = z.object({
  total: z.number().int().meta({ description: 'Lignes de données non vides (hors en-tête)' }),
  nouvelles: z.number().int(),
  modifiees: z.number().int(),
  inchangees: z.number().int(),
  rejetees: z.number().int(),
});
export type Compteurs = z.infer<typeof Compteurs>;

export const Rejet = z.object({
  ligne: z.number().int().meta({ description: 'Ligne du tableur (l’en-tête est la ligne 1)' }),
  colonne: z.string().optional(),
  motif: z.string(),
});
export type Rejet = z.infer<typeof Rejet>;

export const Avertissement = z.object({ ligne: z.number().int(), motif: z.string() });
export type Avertissement = z.infer<typeof Avertissement>;

/** Lists longer than this are cut in the API's answer; the report files hold them all. */
export const SIGNALEMENTS_MAX_API = 1000;

/** `GET /laureats/imports/{id}`: the import report. */
export const RapportImport = z
  .object({
    importId: z.string(),
    fichier: z.string(),
    statut: z.enum(STATUTS_IMPORT),
    debut: z.string(),
    fin: z.string().optional(),
    lignes: Compteurs,
    rejets: z
      .array(Rejet)
      .meta({ description: `Un motif par colonne fautive ; au plus ${SIGNALEMENTS_MAX_API}` }),
    avertissements: z.array(Avertissement).meta({ description: `Au plus ${SIGNALEMENTS_MAX_API}` }),
    colonnesManquantes: z.array(z.string()).optional(),
    nbRejets: z.number().int().meta({ description: 'Nombre total de motifs de rejet' }),
    nbAvertissements: z.number().int(),
    progression: z
      .object({ ligne: z.number().int(), octetsLus: z.number().int(), taille: z.number().int() })
      .optional()
      .meta({ description: 'Pendant l’import : dernière ligne validée et octets lus du fichier' }),
    rapport: z.object({ json: z.string(), rejetsCsv: z.string(), expiresAt: z.string() }).optional().meta({
      description: 'Le rapport complet (JSON) et les lignes rejetées (CSV) : URL valables 15 minutes',
    }),
  })
  .meta({ id: 'RapportImport' });
export type RapportImport = z.infer<typeof RapportImport>;

/** `POST /laureats/imports`: the file about to be uploaded. */
export const DemandeImport = z
  .object({
    fichier: z
      .string()
      .trim()
      .regex(/^[^/\\\p{Cc}]{1,200}\.(csv|xlsx)$/iu, 'Nom de fichier .csv ou .xlsx attendu (sans chemin)'),
  })
  .meta({ id: 'DemandeImport' });
export type DemandeImport = z.infer<typeof DemandeImport>;

export const ImportDemande = z
  .object({
    importId: z.string(),
    uploadUrl: z.string().meta({ description: 'PUT présigné du fichier ; le dépôt lance l’ingestion' }),
    expiresAt: z.string(),
  })
  .meta({ id: 'ImportDemande' });
export type ImportDemande = z.infer<typeof ImportDemande>;
