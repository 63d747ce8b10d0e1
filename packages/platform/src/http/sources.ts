import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import { env } from '../config';
import type { SecretsDeSource } from './form-signature';

/** `{"<source id>": "<secret>" | ["<new secret>", "<old secret>"]}` */
const SecretsSources = z.record(
  z.string(),
  z.union([z.string().min(16), z.array(z.string().min(16)).min(1)]),
);

const liste = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The form sources' secrets: from Secrets Manager in AWS (cached 5 minutes, so a rotation needs no
 * deploy), or inline in the local cloud only. Read at cold start: a missing setting fails early.
 */
export function secretsDesSources(): SecretsDeSource {
  const arn = process.env[env.formSourcesSecret];
  const locales = process.env[env.localFormSources];
  if (arn) {
    return async (source) => {
      const brut = await getSecret(arn, { maxAge: 300 });
      const secrets = SecretsSources.parse(JSON.parse(String(brut)));
      return Object.hasOwn(secrets, source) ? liste(secrets[source]) : [];
    };
  }
  if (locales) {
    const secrets = SecretsSources.parse(JSON.parse(locales));
    return async (source) => (Object.hasOwn(secrets, source) ? liste(secrets[source]) : []);
  }
  throw new Error(`Missing configuration: ${env.formSourcesSecret}`);
}
