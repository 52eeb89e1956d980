import { GrammyError, InputFile, type Api } from 'grammy';
import type { Reply } from '../../domain/types.ts';
import type { PayloadStore } from '../../storage/types.ts';
import { maskPersonalData } from '../../privacy/mask.ts';
import type { InFlight } from '../kit/in-flight.ts';
import { buildKeyboard, CALLBACK_DATA_MAX_BYTES, escapeHtml, htmlToPlain, renderCaption, renderReply } from './render.ts';
import type { TelegramLog } from './log.ts';

/** Marks callback_data that is a short id of a stored payload rather than the payload itself. */
const STORED_MARK = '~';

type Keyboard = ReturnType<typeof buildKeyboard>;

/**
 * Everything the Telegram adapter sends: replies rendered as escaped HTML (split under 4096 characters,
 * the keyboard on the last chunk), a plain-text fallback if Telegram ever refuses our HTML, photos, button
 * acknowledgements and the "typing" indicator. Long button payloads go through the {@link PayloadStore}
 * because Telegram limits callback_data to 64 bytes; their text is masked before it is stored.
 */
export class TelegramSender {
  constructor(
    private readonly api: Api,
    private readonly payloads: PayloadStore,
    private readonly tlog: TelegramLog,
    /** Background calls (typing) that stop() waits for. */
    private readonly background: InFlight,
    private readonly typingIntervalMs: number,
  ) {}

  /** callback_data for a payload: the payload itself when it fits, else a marked short id. */
  async callbackData(payload: string): Promise<string> {
    if (Buffer.byteLength(payload, 'utf8') <= CALLBACK_DATA_MAX_BYTES && !payload.startsWith(STORED_MARK)) return payload;
    return STORED_MARK + (await this.payloads.put(maskPersonalData(payload)));
  }

  /** The payload behind callback_data, or undefined for an unknown (expired) short id. */
  async payloadOf(data: string): Promise<string | undefined> {
    return data.startsWith(STORED_MARK) ? this.payloads.get(data.slice(STORED_MARK.length)) : data;
  }

  /** Renders and sends replies in order; the keyboard goes on the last chunk of each reply. */
  async sendReplies(chatId: number, replies: Reply[]): Promise<void> {
    for (const reply of replies) {
      const chunks = renderReply(reply);
      const keyboard = await this.keyboard(reply);
      if (!chunks.length && keyboard) chunks.push(escapeHtml('Mời anh/chị chọn:'));
      for (let k = 0; k < chunks.length; k++) {
        const ok = await this.sendHtml(chatId, chunks[k], k === chunks.length - 1 ? keyboard : undefined);
        if (!ok) return;
      }
      if (reply.image?.base64) await this.sendImage(chatId, reply.image);
    }
  }

  /** Sends adapter text (escaped). */
  sendPlain(chatId: number, text: string): Promise<boolean> {
    return this.sendHtml(chatId, escapeHtml(text));
  }

  /** Acknowledges a button press (soft: a failure is logged, never shown). */
  async answerCallback(id: string, text?: string): Promise<void> {
    try {
      await this.api.answerCallbackQuery(id, text ? { text } : {});
    } catch (err) {
      this.tlog.softFail('answerCallbackQuery', err);
    }
  }

  /** Sends "typing" now and every few seconds until the returned function is called. */
  typing(chatId: number): () => void {
    const send = () => {
      void this.background.add(this.api.sendChatAction(chatId, 'typing').catch((err) => this.tlog.softFail('sendChatAction', err)));
    };
    send();
    const timer = setInterval(send, this.typingIntervalMs);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  private async keyboard(reply: Reply): Promise<Keyboard> {
    const data = new Map<string, string>();
    for (const b of reply.buttons ?? []) {
      if (typeof b?.payload === 'string' && b.payload && !data.has(b.payload)) data.set(b.payload, await this.callbackData(b.payload));
    }
    return buildKeyboard(reply.buttons, (p) => data.get(p) ?? p);
  }

  private async sendHtml(chatId: number, html: string, keyboard?: Keyboard): Promise<boolean> {
    const markup = keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {};
    try {
      await this.api.sendMessage(chatId, html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true }, ...markup });
      return true;
    } catch (err) {
      if (
        err instanceof GrammyError &&
        err.error_code === 400 &&
        /parse entities|can't parse|unsupported start tag/i.test(err.description)
      ) {
        // Should not happen (everything is escaped), but never leave the person without an answer.
        this.tlog.log.error(this.tlog.errInfo(err), 'telegram rejected our HTML; sending plain text');
        try {
          await this.api.sendMessage(chatId, htmlToPlain(html), { link_preview_options: { is_disabled: true }, ...markup });
          return true;
        } catch (err2) {
          this.tlog.log.error(this.tlog.errInfo(err2), 'sendMessage failed');
          return false;
        }
      }
      if (err instanceof GrammyError && err.error_code === 403) {
        this.tlog.log.info(this.tlog.errInfo(err), 'chat unavailable (bot blocked or removed)');
        return false;
      }
      this.tlog.log.error(this.tlog.errInfo(err), 'sendMessage failed');
      return false;
    }
  }

  private async sendImage(chatId: number, image: NonNullable<Reply['image']>): Promise<void> {
    try {
      const file = new InputFile(Buffer.from(image.base64, 'base64'), 'bieu-do.png');
      const caption = renderCaption(image.alt);
      await this.api.sendPhoto(chatId, file, caption ? { caption, parse_mode: 'HTML' } : {});
    } catch (err) {
      this.tlog.softFail('sendPhoto', err);
    }
  }
}
