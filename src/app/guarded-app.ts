import type { Logger } from '../observability/logger.ts';
import { HttpApp, describeError, type HttpAppOptions, type HttpHandler, type HttpResponse, type RouteOptions } from '../http/http-app.ts';
import { isStoreUnavailable } from '../storage/errors.ts';

/** The polite answer while the shared database is unreachable (`/api/chat`, webhooks, admin pages). */
export const MAINTENANCE_MESSAGE = 'Dạ, hệ thống đang bảo trì trong ít phút. Anh/chị vui lòng thử lại sau giây lát ạ.';
/** Seconds a client (or a platform) is asked to wait before trying again. */
export const MAINTENANCE_RETRY_AFTER_SECONDS = 5;

/** 503 with `Retry-After` and the maintenance message. */
export function maintenance(): HttpResponse {
  return {
    status: 503,
    headers: { 'retry-after': String(MAINTENANCE_RETRY_AFTER_SECONDS) },
    body: { error: MAINTENANCE_MESSAGE },
  };
}

/** What the guard needs from the stores. */
export interface StoreAvailability {
  /** Is the shared database reachable? Always true on files. */
  available(): Promise<boolean>;
}

/** Routes that read or write stores: every POST (chat, erase, webhooks) and the JSON API under `/api/`. */
export function usesStores(method: string, path: string): boolean {
  return method.toUpperCase() === 'POST' || path.startsWith('/api/');
}

/**
 * The HTTP app of the server, with every route that reaches the stores guarded against an unreachable database.
 * Why here and not in each adapter: the answer must be the same everywhere, and the adapters must not know which
 * stores they run on.
 *
 * - Before anything is read or acknowledged, a guarded route checks that the database is reachable (cheap: no
 *   query when it answered in the last two seconds). If not, 503 with `Retry-After` and a polite Vietnamese
 *   message: the web page shows it, and Telegram and Zalo deliver the webhook again later, so nothing is lost.
 * - A route whose admission check or handler fails because a store is unreachable gets the same 503 rather than
 *   a 500 (the client did nothing wrong, and trying again later will work).
 * With files the database is always "reachable", so nothing changes for a single instance.
 */
export class GuardedHttpApp extends HttpApp {
  constructor(
    private readonly guardLogger: Logger,
    options: HttpAppOptions,
    private readonly stores: StoreAvailability,
  ) {
    super(guardLogger, options);
  }

  override route(method: string, path: string, handler: HttpHandler, options: RouteOptions = {}): void {
    if (!usesStores(method, path)) {
      super.route(method, path, handler, options);
      return;
    }
    const inner = options.admit;
    super.route(
      method,
      path,
      async (req) => {
        try {
          return await handler(req);
        } catch (err) {
          if (isStoreUnavailable(err) || !(await this.stores.available())) {
            this.guardLogger.warn({ reqId: req.id, path, err: describeError(err) }, 'store unavailable: answered 503');
            return maintenance();
          }
          throw err;
        }
      },
      {
        ...options,
        admit: async (head) => {
          if (!(await this.stores.available())) return maintenance();
          if (!inner) return undefined;
          try {
            return await inner(head);
          } catch (err) {
            if (isStoreUnavailable(err)) return maintenance();
            throw err;
          }
        },
      },
    );
  }
}
