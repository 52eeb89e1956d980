import readline from 'node:readline';
import { loadConfig, loadDotEnv, ConfigError } from '../config.ts';
import { silentLogger } from '../observability/logger.ts';
import { buildCore } from '../app/bootstrap.ts';
import { renderOne } from '../channels/cli/render.ts';

/**
 * `npm run chat`: an interactive conversation in the terminal. Context is kept between lines (and
 * across runs, in DATA_DIR). Type the number of a choice to press that button; "thoát" to leave.
 */
async function main() {
  await loadDotEnv();
  const config = loadConfig();
  const core = await buildCore(config, silentLogger(), { persistSessions: true });
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  let choices: string[] = [];
  const show = async (input: { text?: string; payload?: string }) => {
    const r = await core.engine.handle({ channel: 'cli', conversationId: 'terminal', ...input });
    choices = [];
    for (const reply of r.replies) {
      const out = renderOne(reply);
      process.stdout.write(`\n${out.text.replace(/\[(\d+)\]/g, (_m, n) => `[${Number(n) + choices.length}]`)}\n`);
      choices.push(...out.choices);
    }
  };
  console.log('Trợ lý Giảm nghèo — gõ câu hỏi (gõ số để chọn nút, "thoát" để ra).');
  await show({ payload: 'menu' });
  rl.setPrompt('\n> ');
  rl.prompt();
  for await (const line of rl) {
    const text = line.trim();
    if (/^(thoat|thoát|exit|quit)$/i.test(text)) break;
    if (text) {
      const n = Number(text);
      if (Number.isInteger(n) && n >= 1 && n <= choices.length) await show({ payload: choices[n - 1] });
      else await show({ text });
    }
    rl.prompt();
  }
  rl.close();
  await core.close();
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `Lỗi: ${(err as Error).message}`);
  process.exit(1);
});
