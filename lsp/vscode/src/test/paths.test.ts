import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test } from 'node:test';
import { expandSetting, findExecutable } from '../paths';

test('expandSetting leaves bare names for PATH', () => {
  assert.strictEqual(expandSetting('min-lsp', '/work'), 'min-lsp');
  assert.strictEqual(expandSetting('  minc ', undefined), 'minc');
});

test('expandSetting expands ~, ${workspaceFolder} and relative paths', () => {
  assert.strictEqual(expandSetting('~/bin/minc', '/work', '/home/ada'), path.join('/home/ada', 'bin/minc'));
  assert.strictEqual(expandSetting('${workspaceFolder}/target/debug/min-lsp', '/work'), '/work/target/debug/min-lsp');
  assert.strictEqual(expandSetting('target/debug/min-lsp', '/work'), path.join('/work', 'target/debug/min-lsp'));
  assert.strictEqual(expandSetting('/opt/min/bin/minc', '/work'), '/opt/min/bin/minc');
});

test('findExecutable searches PATH and checks paths', { skip: process.platform === 'win32' }, () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'min-paths-'));
  try {
    const tool = path.join(folder, 'min-tool');
    fs.writeFileSync(tool, '#!/bin/sh\n');
    fs.chmodSync(tool, 0o755);
    const plain = path.join(folder, 'not-executable');
    fs.writeFileSync(plain, '');
    fs.chmodSync(plain, 0o644);
    const env = { PATH: ['/nonexistent', folder].join(path.delimiter) };
    assert.strictEqual(findExecutable('min-tool', env), tool);
    assert.strictEqual(findExecutable(tool, env), tool);
    assert.strictEqual(findExecutable('not-executable', env), undefined);
    assert.strictEqual(findExecutable('missing-tool', env), undefined);
    assert.strictEqual(findExecutable(folder, env), undefined);
    assert.strictEqual(findExecutable('', env), undefined);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
