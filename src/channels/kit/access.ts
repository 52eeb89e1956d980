/**
 * Whether a message may use admin functions (`/hopthu`, `/nhapsolieu`, the inbox part of the usage report).
 * Only in a private chat with a configured admin id: in a group, every member would read the inbox.
 * Adapters set `Incoming.isAdmin` from this and nothing else.
 */
export function isAdminChat(adminIds: ReadonlySet<string> | readonly string[], userId: string | undefined, privateChat: boolean): boolean {
  if (!privateChat || !userId) return false;
  return adminIds instanceof Set ? adminIds.has(userId) : (adminIds as readonly string[]).includes(userId);
}
