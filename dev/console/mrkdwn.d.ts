/** The workspace's names: what <@U…> and <#C…> show as. */
export interface Directory {
  users?: Record<string, string>;
  channels?: Record<string, string>;
}
export const EMOJI: Record<string, string>;
export function formatDate(seconds: number, format: string, now?: Date): string | undefined;
export function mrkdwn(text?: string, dir?: Directory, now?: Date): string;
export function mrkdwnToPlain(text?: string, dir?: Directory, now?: Date): string;
export function plainText(text?: string, withEmoji?: boolean): string;
