/**
 * Zalo shows buttons as a numbered list ("Trả lời bằng số:\n1. Vay vốn"): pressing one means typing its
 * number. Finds `label` in the latest list sent and sends its number.
 */
export async function pressNumberedChoice(sent: string[], label: string, sendText: (text: string) => Promise<unknown>): Promise<void> {
  for (const text of [...sent].reverse()) {
    const line = text.split('\n').find((l) => l.replace(/^\d+\.\s*/, '') === label && /^\d+\./.test(l));
    if (line) {
      await sendText(line.split('.')[0]);
      return;
    }
  }
  throw new Error(`no numbered choice "${label}" was sent`);
}
