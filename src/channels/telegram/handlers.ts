import { Composer, type Context, type NextFunction } from 'grammy';
import type { Message } from 'grammy/types';
import type { Engine } from '../../core/engine.ts';
import type { Incoming, TurnResult } from '../../domain/types.ts';
import type { ChatLimiter } from '../kit/limiter.ts';
import { isAdminChat } from '../kit/access.ts';
import { debugText } from '../kit/log.ts';
import { ensureCommandEntity, isAddressedToMe, parseCommand, stripMention } from './addressing.ts';
import type { TelegramLog } from './log.ts';
import type { TelegramSender } from './send.ts';
import { ADMIN_COMMANDS, COMMANDS, TEXTS } from './texts.ts';

/** What the handlers need: the core, who is an admin, the limiter and the sender. */
export interface HandlerDeps {
  engine: Engine;
  /** ADMIN_TELEGRAM_IDS. */
  admins: ReadonlySet<string>;
  limiter: ChatLimiter;
  send: TelegramSender;
  tlog: TelegramLog;
}

/** Edits later than this after sending are not answered again. */
const EDIT_WINDOW_SECONDS = 300;

/** Message kinds that get the "text only" hint; anything else without text is a service message (ignored). */
const NON_TEXT_KINDS = [
  'photo',
  'sticker',
  'voice',
  'audio',
  'video',
  'video_note',
  'animation',
  'document',
  'location',
  'venue',
  'contact',
  'poll',
  'dice',
  'game',
  'story',
  'paid_media',
  'invoice',
] as const;

/**
 * The Telegram adapter's update handling as a grammY Composer, one middleware per behaviour:
 * buttons; then, for messages, who they are for, the rate limit, `/xoadulieu`, the Vietnamese commands
 * translated into core payloads, text (admin commands passed to the core as typed), and non-text hints.
 *
 * - Groups: answered only when addressed (@mention, reply to the bot, /command@bot); buttons always work.
 * - Edited messages: in a private chat, a text (not a command) edited within 5 minutes is answered again.
 * - Admin functions: only for ADMIN_TELEGRAM_IDS in a private chat (`Incoming.isAdmin`); admins are not limited.
 */
export function telegramHandlers(d: HandlerDeps): Composer<Context> {
  const bot = new Composer<Context>();
  bot.use(ensureCommandEntity);

  bot.on('callback_query:data', (ctx) => onButton(ctx, d));
  bot.on('callback_query', (ctx) => d.send.answerCallback(ctx.callbackQuery.id));

  const chat = bot
    .on(['message', 'edited_message'])
    .drop((ctx) => ctx.msg.from?.is_bot === true || (ctx.chat.type as string) === 'channel')
    .filter((ctx) => !ctx.editedMessage || isQuickPrivateEdit(ctx.editedMessage))
    .filter((ctx) => isAddressedToMe(ctx.msg, ctx.me))
    .filter((ctx) => typeof ctx.msg.text === 'string' || NON_TEXT_KINDS.some((k) => k in ctx.msg));
  chat.use((ctx, next) => rateLimit(ctx, next, d));
  chat.use((ctx, next) => {
    const text = ctx.msg.text;
    const kind = text === undefined ? 'non-text' : parseCommand(text) ? 'command' : 'text';
    debugText(d.tlog.log, { updateId: ctx.update.update_id, kind }, text, 'telegram message');
    return next();
  });

  chat.command('xoadulieu', async (ctx) => {
    const erased = await d.engine.erase({ channel: 'telegram', conversationId: String(ctx.chat.id) });
    await d.send.sendPlain(ctx.chat.id, erased ? TEXTS.erased : TEXTS.nothingToErase);
  });
  for (const c of COMMANDS) {
    const payload = c.payload;
    if (payload) chat.command(c.command, (ctx) => turn(d, ctx.chat.id, { payload }, String(ctx.msg.message_id), isAdmin(ctx, d)));
  }
  chat.on(['message:text', 'edited_message:text'], (ctx) => {
    const text = ctx.msg.text;
    const admin = isAdmin(ctx, d);
    const messageId = String(ctx.msg.message_id);
    const command = parseCommand(text);
    if (command) {
      // Not one of ours: an admin command reaches the core as typed (the core checks isAdmin); the rest gets help.
      const input = admin && ADMIN_COMMANDS.includes(command.name) ? { text } : { payload: 'help' };
      return turn(d, ctx.chat.id, input, messageId, admin);
    }
    const cleaned = stripMention(text, ctx.me.username ?? '').trim();
    return turn(d, ctx.chat.id, cleaned ? { text: cleaned } : { payload: 'menu' }, messageId, admin);
  });
  chat.on('message', (ctx) => d.send.sendPlain(ctx.chat.id, 'document' in ctx.msg && isAdmin(ctx, d) ? TEXTS.adminFile : TEXTS.nonText));
  return bot;
}

/** Admin functions only for an admin id in a private chat: in a group every member would see them. */
function isAdmin(ctx: Context, d: HandlerDeps): boolean {
  return isAdminChat(d.admins, ctx.from ? String(ctx.from.id) : undefined, ctx.chat?.type === 'private');
}

function isQuickPrivateEdit(msg: Message): boolean {
  return (
    msg.chat.type === 'private' &&
    typeof msg.text === 'string' &&
    !parseCommand(msg.text) &&
    msg.edit_date !== undefined &&
    msg.edit_date - msg.date <= EDIT_WINDOW_SECONDS
  );
}

/** Per-user limit (admins exempt): one polite "please wait" for the first refused message, then silence. */
async function rateLimit(ctx: Context, next: NextFunction, d: HandlerDeps): Promise<void> {
  if (isAdmin(ctx, d)) return next();
  const decision = await d.limiter.hit(String(ctx.from?.id ?? ctx.chat?.id));
  if (decision === 'ok') return next();
  if (decision === 'first-over' && ctx.chat) await d.send.sendPlain(ctx.chat.id, TEXTS.rateLimited);
}

async function onButton(ctx: Context, d: HandlerDeps): Promise<void> {
  const cq = ctx.callbackQuery!;
  // Buttons live under our messages; without the message (old or inaccessible), the private chat's id is the user's.
  const chat = cq.message?.chat;
  const userId = String(cq.from.id);
  const admin = isAdminChat(d.admins, userId, chat?.type === 'private');
  if (!admin && (await d.limiter.hit(userId)) !== 'ok') {
    await d.send.answerCallback(cq.id, TEXTS.rateLimitedToast);
    return;
  }
  const payload = typeof cq.data === 'string' ? await d.send.payloadOf(cq.data) : undefined;
  if (!payload) {
    await d.send.answerCallback(cq.id, TEXTS.expiredButton);
    return;
  }
  await d.send.answerCallback(cq.id);
  d.tlog.log.debug({ updateId: ctx.update.update_id, kind: 'button' }, 'telegram button');
  await turn(d, chat?.id ?? cq.from.id, { payload }, String(ctx.update.update_id), admin);
}

/** One conversation turn: typing indicator, Engine.handle, replies rendered and sent in order. */
async function turn(d: HandlerDeps, chatId: number, input: { text?: string; payload?: string }, messageId: string, admin: boolean) {
  const incoming: Incoming = { channel: 'telegram', conversationId: String(chatId), ...input, messageId, isAdmin: admin };
  const stopTyping = d.send.typing(chatId);
  let result: TurnResult | undefined;
  try {
    result = await d.engine.handle(incoming);
  } catch (err) {
    d.tlog.log.error(d.tlog.errInfo(err), 'engine failed on a telegram message');
  } finally {
    stopTyping();
  }
  if (!result) await d.send.sendPlain(chatId, TEXTS.failure);
  else await d.send.sendReplies(chatId, result.replies ?? []);
}
