import type { Context, NextFunction } from 'grammy';
import type { Message, Update, UserFromGetMe } from 'grammy/types';

/**
 * Who a Telegram message is for and which conversation it belongs to: commands, @mentions, replies to
 * the bot, and the per-chat key that keeps one chat's updates in order.
 */

/** "/cmd", "/cmd@bot", "/cmd args" at the start of a text (entities are not required: emulators omit them). */
export function parseCommand(text: string): { name: string; target?: string; rest: string } | null {
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?=\s|$)([\s\S]*)$/.exec(text);
  if (!m) return null;
  return { name: m[1].toLowerCase(), ...(m[2] ? { target: m[2] } : {}), rest: m[3].trim() };
}

/**
 * Adds the `bot_command` entity a command should carry when the sender omitted it (some emulators do),
 * so grammY's `bot.command(…)` recognises it like Telegram's own messages.
 */
export function ensureCommandEntity(ctx: Context, next: NextFunction): Promise<void> {
  const msg = ctx.update.message;
  const text = msg?.text;
  if (msg && text && !msg.entities?.some((e) => e.type === 'bot_command' && e.offset === 0)) {
    const m = /^\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,64})?(?=\s|$)/.exec(text);
    if (m) msg.entities = [{ type: 'bot_command', offset: 0, length: m[0].length }, ...(msg.entities ?? [])];
  }
  return next();
}

function mentionRegex(username: string): RegExp {
  return new RegExp(`(^|[^A-Za-z0-9_])@${username.replace(/[^A-Za-z0-9_]/g, '')}(?![A-Za-z0-9_])`, 'gi');
}

/** The message names the bot (@username or a text mention). */
export function mentionsMe(msg: Message, me: UserFromGetMe): boolean {
  const text = msg.text ?? msg.caption ?? '';
  if (me.username && mentionRegex(me.username).test(text)) return true;
  const entities = msg.entities ?? msg.caption_entities ?? [];
  return entities.some((e) => e.type === 'text_mention' && e.user?.id === me.id);
}

/** The message answers one of the bot's own messages. */
export function repliesToMe(msg: Message, me: UserFromGetMe): boolean {
  return msg.reply_to_message?.from?.id === me.id;
}

/** The text without the bot's @mention. */
export function stripMention(text: string, username: string): string {
  if (!username) return text;
  return text.replace(mentionRegex(username), '$1').replace(/[ \t]{2,}/g, ' ');
}

/** Groups are answered only when addressed: `/command@bot`, a reply to the bot, or an @mention. */
export function isAddressedToMe(msg: Message, me: UserFromGetMe): boolean {
  const isGroup = msg.chat.type === 'group' || msg.chat.type === 'supergroup';
  const command = typeof msg.text === 'string' ? parseCommand(msg.text) : null;
  if (command?.target) return command.target.toLowerCase() === (me.username ?? '').toLowerCase();
  return !isGroup || repliesToMe(msg, me) || mentionsMe(msg, me);
}

/** Per-chat ordering key; a button without its message belongs to the private chat (= the user). */
export function chatKeyOf(u: Update): string {
  const chat = u.message?.chat ?? u.edited_message?.chat ?? u.callback_query?.message?.chat ?? u.channel_post?.chat;
  if (chat) return `c${chat.id}`;
  const from = u.callback_query?.from ?? u.inline_query?.from;
  return from ? `c${from.id}` : `x${u.update_id}`;
}
