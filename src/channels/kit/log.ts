import type { Logger } from '../../observability/logger.ts';
import { maskPersonalData } from '../../privacy/mask.ts';

/**
 * Logs a resident's message at debug level, masked and cut short. Masking costs a full scan of the text, so
 * nothing is masked when debug lines are not written; at info and above residents' text is never logged.
 */
export function debugText(log: Logger, fields: Record<string, unknown>, text: string | undefined, msg: string, max = 120): void {
  if (!log.isLevelEnabled('debug')) return;
  log.debug({ ...fields, ...(text ? { preview: maskPersonalData(text).slice(0, max) } : {}) }, msg);
}
