import type { Refusal } from './receiver-server';
import type { ReceivedMessage } from './received';

/** Messages and refusals in words, for a person watching `npm run receiver`. */

function signatureWords(message: ReceivedMessage): string {
  if (message.verifiedWith) return `signature ok (secret #${message.verifiedWith.join(', #')})`;
  if (message.signature === 'verified') return 'signature ok';
  if (message.signature === 'unsigned') return 'not signed (no secret configured)';
  return 'credentials ok (no signature in this format)';
}

export function describeMessage(message: ReceivedMessage): string {
  const lines = [
    `${new Date(message.at).toISOString()} ${message.format} ${message.deliveryId ?? ''} ${signatureWords(message)}`.replace(/\s+/g, ' '),
    `  title:    ${message.title ?? '-'}`,
    ...message.text.split('\n').map((line, index) => `  ${index === 0 ? 'text:    ' : '         '} ${line}`),
    `  mentions: ${message.mentions.length ? message.mentions.join(', ') : '-'}`,
  ];
  if (message.link) lines.push(`  link:     ${message.link}`);
  if (message.incident) lines.push(`  incident: ${message.incident.action} ${message.incident.dedupKey}`);
  for (const warning of message.warnings ?? []) lines.push(`  warning:  ${warning}`);
  return lines.join('\n');
}

export function describeRefusal(refusal: Refusal): string {
  const answered = refusal.body ? ` ${refusal.body}` : '';
  return `${new Date(refusal.at).toISOString()} REFUSED ${refusal.status}${answered}: ${refusal.reason}`;
}
