/**
 * Amazon SNS: the deployment's notification topic. Every action, refusal and failure is published
 * with a human-readable subject and a JSON body. A notification never decides anything: a failed
 * publish is logged and counted by the caller, the action it reports stands.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import type { SendClient } from './types';

export interface Notification {
  /** One line for a mail subject or a chat message; cut to SNS's 100 characters. */
  readonly subject: string;
  /** The facts, sent as JSON. */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface Notifier {
  notify(notification: Notification): Promise<void>;
}

/** SNS's limit on a subject. */
export const MAX_SUBJECT_LENGTH = 100;

/** Tells nobody: for the simulator and for functions deployed without a topic. */
export const noopNotifier: Notifier = { notify: async () => undefined };

export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SendClient,
    private readonly topicArn: string,
  ) {
    if (!topicArn) throw new Error('topicArn must not be empty');
  }

  async notify(notification: Notification): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: snsSubject(notification.subject),
        Message: JSON.stringify(notification.body, null, 2),
      }),
    );
  }
}

/**
 * A subject SNS accepts: printable ASCII only (no line breaks or control characters), not starting
 * with a space, at most 100 characters; a cut subject ends with "...".
 */
export function snsSubject(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u2192]/g, '->')
    .replace(/[\r\n\t]/g, ' ')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  const subject = ascii || 'autoscaler notification';
  return subject.length <= MAX_SUBJECT_LENGTH ? subject : `${subject.slice(0, MAX_SUBJECT_LENGTH - 3).trimEnd()}...`;
}
