// Parse every ```mermaid block of a Markdown file with mermaid's own parser; exit 1 on the first error.
// Run with NODE_PATH unset: mermaid and jsdom are resolved from the folder given as the first argument.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [modules, file] = process.argv.slice(2);
const require = createRequire(pathToFileURL(`${modules}/`).href);
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!DOCTYPE html><body></body>');
globalThis.window = dom.window; // mermaid's sanitiser (DOMPurify) needs a DOM outside a browser
globalThis.document = dom.window.document;
const { default: mermaid } = await import(pathToFileURL(require.resolve('mermaid')).href);

const text = readFileSync(file, 'utf8');
const blocks = [...text.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
for (const block of blocks) {
  try {
    await mermaid.parse(block);
  } catch (error) {
    console.log(`mermaid parse error: ${error.message}`);
    process.exit(1);
  }
}
console.log(`parsed ${blocks.length} mermaid block(s)`);
