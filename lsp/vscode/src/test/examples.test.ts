// Every Min file of the repository's examples and standard library is
// highlighted without an `invalid.*` scope, and no construct left unfinished
// anywhere in them leaks into the next top-level item.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const extensionRoot = path.join(__dirname, '..', '..');
const repositoryRoot = path.join(extensionRoot, '..', '..');
const folders = ['examples', 'stdlib'].map((folder) => path.join(repositoryRoot, folder));

function minFiles(): string[] {
  return folders
    .filter((folder) => fs.existsSync(folder))
    .flatMap((folder) =>
      fs
        .readdirSync(folder)
        .filter((name) => name.endsWith('.min'))
        .map((name) => path.join(folder, name)),
    );
}

async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName: string) => {
      const file = path.join(extensionRoot, 'syntaxes', 'min.tmLanguage.json');
      return scopeName === 'source.min' ? textmate.parseRawGrammar(fs.readFileSync(file, 'utf8'), file) : null;
    },
  });
  const grammar = await registry.loadGrammar('source.min');
  assert.ok(grammar, 'the grammar loads');
  return grammar;
}

const files = minFiles();

test('the examples and the standard library are highlighted without invalid tokens', { skip: files.length === 0 }, async () => {
  const grammar = await loadGrammar();
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    let state = textmate.INITIAL;
    lines.forEach((line, index) => {
      const result = grammar.tokenizeLine(line, state);
      state = result.ruleStack;
      for (const token of result.tokens) {
        const invalid = token.scopes.find((scope) => scope.startsWith('invalid'));
        const where = `${path.relative(repositoryRoot, file)}:${index + 1}:${token.startIndex + 1}`;
        assert.strictEqual(invalid, undefined, `${where}: ${JSON.stringify(line.slice(token.startIndex, token.endIndex))} is ${invalid}`);
      }
      // A line in column 1 starts an item: only the file's own scope is open before it.
      if (/^[^\s#]/.test(line)) {
        const first = result.tokens[0];
        assert.ok(first !== undefined);
        const where = `${path.relative(repositoryRoot, file)}:${index + 1}`;
        assert.ok(!first.scopes.some((scope) => scope.startsWith('string') || scope.startsWith('comment')), `${where}: a region is still open`);
      }
    });
  }
});

test('a line in column 1 ends whatever the lines above left open', { skip: files.length === 0 }, async () => {
  const grammar = await loadGrammar();
  const probe = 'probe x = x';
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    let state = textmate.INITIAL;
    lines.forEach((line, index) => {
      // Cut the line after every character, as while typing it, then start a new item.
      for (let cut = 1; cut <= line.length; cut++) {
        const partial = grammar.tokenizeLine(line.slice(0, cut), state);
        const next = grammar.tokenizeLine(probe, partial.ruleStack).tokens[0];
        const where = `${path.relative(repositoryRoot, file)}:${index + 1}:${cut}`;
        assert.ok(next !== undefined && next.endIndex === 5, `${where}: the probe's name is not one token`);
        assert.deepStrictEqual(next.scopes, ['source.min', 'entity.name.function.min'], `${where}: ${JSON.stringify(line.slice(0, cut))}`);
      }
      state = grammar.tokenizeLine(line, state).ruleStack;
    });
  }
});
