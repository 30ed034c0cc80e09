// Lints sources for the module-boundaries spec through one ESLint instance, with the config and
// plugins of `npm run lint`: one line of JSON in ({ file, source }), one line out (its messages).
// Loading the config and Nx's project graph takes seconds; a CLI per case paid it fourteen times.
const { ESLint } = require('eslint');
const readline = require('node:readline');
const path = require('node:path');

const root = path.join(__dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: root, overrideConfigFile: path.join(root, '.eslint.config.mjs') });

let queue = Promise.resolve();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(async () => {
    const { file, source } = JSON.parse(line);
    try {
      const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
      process.stdout.write(`${JSON.stringify({ messages: result?.messages ?? [] })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ error: String(error?.stack ?? error) })}\n`);
    }
  });
});
