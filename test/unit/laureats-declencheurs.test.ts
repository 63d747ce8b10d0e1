import { fileURLToPath } from 'node:url';
import { cleExportBpifrance, type ExportRecupere, recupererExport } from '@ti/domain/laureats/recuperation';
import { startTriggers } from '@ti/local-cloud/triggers';
import { afterEach, describe, expect, it } from 'vitest';

describe('récupération planifiée de l’export Bpifrance', () => {
  const fichier = (sha256: string): ExportRecupere => ({
    nom: 'laureats.csv',
    sha256,
    taille: 12,
    extension: 'csv',
    chemin: '/tmp/x',
  });
  const monde = (options: { pannePendantLeDepot?: boolean } = {}) => {
    const objets = new Set<string>();
    const registre = new Map<string, { cle: string; recuLe: string }>();
    let jour = '2021-10-04T06:00:00.000Z';
    let panne = options.pannePendantLeDepot ?? false;
    let courant: ExportRecupere | undefined = fichier('a'.repeat(64));
    return {
      objets,
      registre,
      demain: (iso: string) => {
        jour = iso;
      },
      changer: (f: ExportRecupere | undefined) => {
        courant = f;
      },
      deps: {
        source: { recuperer: async () => courant },
        stockage: {
          existe: async (cle: string) => objets.has(cle),
          deposer: async (cle: string) => {
            if (panne) {
              panne = false;
              throw new Error('panne simulée');
            }
            objets.add(cle);
          },
        },
        registre: {
          lire: async (sha: string) => registre.get(sha),
          enregistrer: async (sha: string, cle: string, recuLe: string) => {
            if (registre.has(sha)) return false;
            registre.set(sha, { cle, recuLe });
            return true;
          },
        },
        horloge: { maintenant: () => new Date(jour) },
      },
    };
  };

  it('stocke sous une clé datée, une seule fois par contenu, même un autre jour', async () => {
    const m = monde();
    const premier = await recupererExport(m.deps);
    expect(premier).toMatchObject({
      statut: 'depose',
      cle: cleExportBpifrance('2021-10-04', 'a'.repeat(64), 'csv'),
    });
    expect(premier.statut === 'depose' && premier.cle).toBe(
      `exports/bpifrance/2021-10-04/${'a'.repeat(16)}.csv`,
    );
    m.demain('2021-10-05T06:00:00.000Z');
    expect(await recupererExport(m.deps)).toMatchObject({
      statut: 'deja_recu',
      recuLe: '2021-10-04T06:00:00.000Z',
    });
    expect(m.objets.size).toBe(1);
    m.changer(fichier('b'.repeat(64)));
    expect(await recupererExport(m.deps)).toMatchObject({
      statut: 'depose',
      cle: expect.stringContaining('2021-10-05'),
    });
    expect(m.objets.size).toBe(2);
    m.changer(undefined);
    expect(await recupererExport(m.deps)).toEqual({ statut: 'aucun_export' });
  });

  it('une panne entre l’enregistrement et le dépôt : la fois suivante dépose sous la clé enregistrée', async () => {
    const m = monde({ pannePendantLeDepot: true });
    await expect(recupererExport(m.deps)).rejects.toThrow('panne simulée');
    expect(m.objets.size).toBe(0);
    m.demain('2021-10-05T06:00:00.000Z');
    const reprise = await recupererExport(m.deps);
    expect(reprise).toMatchObject({ statut: 'depose', cle: expect.stringContaining('2021-10-04') });
    expect(m.objets.size).toBe(1);
  });
});

describe('déclencheurs du cloud local', () => {
  const etat = globalThis as { __appelsDeclencheurs?: string[]; __echecsDeclencheurs?: number };
  const appels = () => {
    etat.__appelsDeclencheurs ??= [];
    return etat.__appelsDeclencheurs;
  };
  const functionsDir = fileURLToPath(new URL('../fixtures/fonctions', import.meta.url));
  let arreter: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await arreter?.();
    appels().length = 0;
    etat.__echecsDeclencheurs = 0;
  });

  const evenement = (bucket: string, key: string, eventName = 'ObjectCreated:Put') => ({
    Records: [{ eventName, s3: { bucket: { name: bucket }, object: { key } } }],
  });

  it('un objet créé sous le préfixe d’un déclencheur lance sa fonction ; les autres rien', async () => {
    let emettre: (e: { Records: Record<string, unknown>[] }) => void = () => {};
    const erreurs: unknown[] = [];
    const t = startTriggers({
      onS3Event: (l) => {
        emettre = l;
        return () => {};
      },
      functionsDir,
      logError: (_message, erreur) => erreurs.push(erreur),
    });
    arreter = () => t.stop();
    emettre(evenement('ti-laureats', 'exports/a.csv'));
    emettre(evenement('ti-laureats', 'exports/b.csv'));
    emettre(evenement('ti-laureats', 'rapports/x/rapport.json'));
    emettre(evenement('ti-laureats', 'essais/c.csv'));
    emettre(evenement('ti-pieces', 'exports/d.csv'));
    emettre(evenement('ti-laureats', 'exports/e.csv', 'ObjectRemoved:Delete'));
    await t.idle();
    // One at a time, in the order the events came; nothing for other prefixes, buckets or events.
    expect(appels()).toEqual(['ingerer exports/a.csv', 'ingerer exports/b.csv']);
    expect(erreurs).toEqual([]);
  });

  it('une exécution en échec est reprise deux fois, comme une invocation asynchrone de Lambda', async () => {
    etat.__echecsDeclencheurs = 2;
    let emettre: (e: { Records: Record<string, unknown>[] }) => void = () => {};
    const erreurs: string[] = [];
    const t = startTriggers({
      onS3Event: (l) => {
        emettre = l;
        return () => {};
      },
      functionsDir,
      retryDelaysMs: [5, 5],
      logError: (m) => erreurs.push(m),
    });
    arreter = () => t.stop();
    emettre(evenement('ti-laureats', 'exports/f.csv'));
    await t.idle();
    expect(erreurs).toHaveLength(2);
    expect(appels().filter((a) => a === 'ingerer exports/f.csv')).toHaveLength(3);
  });
});
