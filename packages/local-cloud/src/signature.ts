import { createHmac } from 'node:crypto';

/** The form source that exists only in the local cloud (`TI_LOCAL_FORM_SOURCES`). */
export const LOCAL_FORM_SOURCE = { id: 'formulaire-local', secret: 'dev-secret-change-me' } as const;

/**
 * Signs a request body as a form source does: returns the `X-Signature` header value
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. A string body is signed as its
 * UTF-8 bytes; pass the raw bytes to sign a file exactly as it will be sent.
 */
export function signBody(
  body: string | Uint8Array,
  secret: string,
  t: number = Math.floor(Date.now() / 1000),
): string {
  const mac = createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
  return `t=${t},v1=${mac}`;
}
