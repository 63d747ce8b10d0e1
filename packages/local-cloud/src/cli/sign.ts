/**
 * `npm run -s sign -- <file.json> [--source formulaire-local] [--secret dev-secret-change-me]
 *   [--method POST] [--path /candidatures] [--base-url http://127.0.0.1:3000]`
 * Prints the X-Source and X-Signature headers for the file's exact bytes, and a ready-to-paste curl
 * command. The signature carries the current time: the API refuses it after 300 s.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_PORTS } from '../ports';
import { LOCAL_FORM_SOURCE, signBody } from '../signature';

const usage =
  'usage: npm run -s sign -- <file.json> [--source formulaire-local] [--secret dev-secret-change-me] [--method POST] [--path /candidatures] [--base-url http://127.0.0.1:3000]';

/** Single-quotes a word for a POSIX shell. */
const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);

try {
  const { values, positionals } = parseArgs({
    options: {
      source: { type: 'string', default: LOCAL_FORM_SOURCE.id },
      secret: { type: 'string', default: LOCAL_FORM_SOURCE.secret },
      method: { type: 'string', default: 'POST' },
      path: { type: 'string', default: '/candidatures' },
      'base-url': { type: 'string', default: `http://127.0.0.1:${process.env.PORT || DEFAULT_PORTS.api}` },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new Error('give exactly one file');
  // npm runs scripts from the repository root; INIT_CWD is where `npm run` was typed.
  const bytes = readFileSync(
    file.startsWith('/') ? file : `${process.env.INIT_CWD ?? process.cwd()}/${file}`,
  );
  const signature = signBody(bytes, values.secret);
  const url = `${values['base-url'].replace(/\/$/, '')}${values.path}`;
  const lines = [
    `X-Source: ${values.source}`,
    `X-Signature: ${signature}`,
    '',
    [
      'curl -sS',
      `-X ${values.method.toUpperCase()}`,
      quote(url),
      `-H ${quote('Content-Type: application/json')}`,
      `-H ${quote(`X-Source: ${values.source}`)}`,
      `-H ${quote(`X-Signature: ${signature}`)}`,
      `--data-binary @${quote(file)}`,
    ].join(' '),
  ];
  console.log(lines.join('\n'));
  if (process.stderr.isTTY) process.stderr.write('(the signature is valid for 300 s)\n');
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
