import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { NotificationsPort } from '@ti/domain/calendrier/ports';
import { logger } from '../observabilite';

/** `source` of the programme's EventBridge events. */
export const SOURCE_EVENEMENTS = 'territoires-industrie.calendrier';

let events: EventBridgeClient | undefined;
let ses: SESv2Client | undefined;

/** E-mails through SES (v2), events on the programme's EventBridge bus. */
export function notificationsAws(config: { eventBusName: string; mailFrom: string }): NotificationsPort {
  events ??= new EventBridgeClient({});
  ses ??= new SESv2Client({});
  const eventBridge = events;
  const sesv2 = ses;
  return {
    async publier(evenement) {
      const { FailedEntryCount, Entries } = await eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: config.eventBusName,
              Source: SOURCE_EVENEMENTS,
              DetailType: evenement.type,
              Detail: JSON.stringify({ notificationId: evenement.id, ...evenement.detail }),
            },
          ],
        }),
      );
      if (FailedEntryCount) {
        throw new Error(
          `PutEvents refused ${evenement.id}: ${Entries?.[0]?.ErrorCode} ${Entries?.[0]?.ErrorMessage}`,
        );
      }
    },
    async envoyerMail(mail) {
      await sesv2.send(
        new SendEmailCommand({
          FromEmailAddress: config.mailFrom,
          Destination: { ToAddresses: [mail.a] },
          Content: {
            Simple: {
              Subject: { Data: mail.objet, Charset: 'UTF-8' },
              Body: { Text: { Data: mail.texte, Charset: 'UTF-8' } },
              // A receiver (or a support person) can tell a repeat from a new message.
              Headers: [{ Name: 'X-Ti-Notification-Id', Value: mail.id }],
            },
          },
          EmailTags: [{ Name: 'notification', Value: mail.id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256) }],
        }),
      );
    },
  };
}

/**
 * Locally: each e-mail is a JSON file in `<dir>/mails/` (one file per sending, so a repeat shows), each
 * event a line of `<dir>/evenements.jsonl`, and both are logged.
 */
export function notificationsLocales(
  dir: string,
  mailFrom = 'ne-pas-repondre@territoires-industrie.local',
): NotificationsPort {
  const mails = join(dir, 'mails');
  return {
    async publier(evenement) {
      const ligne = {
        date: new Date().toISOString(),
        source: SOURCE_EVENEMENTS,
        'detail-type': evenement.type,
        detail: { notificationId: evenement.id, ...evenement.detail },
      };
      await mkdir(dir, { recursive: true });
      await appendFile(join(dir, 'evenements.jsonl'), `${JSON.stringify(ligne)}\n`);
      logger.info(`Événement « ${evenement.type} » (local)`, { evenement: ligne });
    },
    async envoyerMail(mail) {
      await mkdir(mails, { recursive: true });
      const date = new Date().toISOString();
      const fichier = join(mails, `${date.replace(/[:.]/g, '-')}-${mail.id}.json`);
      await writeFile(fichier, `${JSON.stringify({ date, de: mailFrom, ...mail }, null, 2)}\n`);
      // Its id and subject, never its recipient: the logs hold no e-mail address (the file does).
      logger.info(`E-mail « ${mail.objet} » (local)`, { notification: mail.id, fichier });
    },
  };
}
