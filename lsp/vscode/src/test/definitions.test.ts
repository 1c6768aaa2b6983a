import * as assert from 'assert';
import { test } from 'node:test';
import { definitionName, enclosingDefinition, isName, topLevelDefinitions } from '../definitions';

const source = [
  '# The paper example.', //   0
  'import Math (e, log)', //   1
  '', //                       2
  'Term = Tag', //             3
  '  Nil', //                  4
  '', //                       5
  'black_scholes', //          6
  '  s : ℝ   # stock price', // 7
  '  : ℝ', //                  8
  '  = s @', //                9
  '    φ = Normal.cdf', //     10
  '', //                       11
  'add : ℕ → ℕ → ℕ', //        12
  'add a b = a + b', //        13
  'σ_total = 1', //            14
].join('\n');

test('definitions start with a lower name in column 1', () => {
  assert.strictEqual(definitionName('add a b = a + b'), 'add');
  assert.strictEqual(definitionName('σ : ℝ'), 'σ');
  assert.strictEqual(definitionName('Term = Tag'), undefined);
  assert.strictEqual(definitionName('import Math'), undefined);
  assert.strictEqual(definitionName('  nested = 1'), undefined);
  assert.strictEqual(definitionName('# comment'), undefined);
  assert.strictEqual(definitionName('λx → x'), undefined);
  assert.strictEqual(definitionName('_ = 1'), undefined);
});

test('topLevelDefinitions lists each name once, in order', () => {
  assert.deepStrictEqual(topLevelDefinitions(source), [
    { name: 'black_scholes', line: 6 },
    { name: 'add', line: 12 },
    { name: 'σ_total', line: 14 },
  ]);
});

test('enclosingDefinition finds the definition around a line', () => {
  assert.strictEqual(enclosingDefinition(source, 10), 'black_scholes');
  assert.strictEqual(enclosingDefinition(source, 11), 'black_scholes');
  assert.strictEqual(enclosingDefinition(source, 13), 'add');
  assert.strictEqual(enclosingDefinition(source, 4), undefined);
  assert.strictEqual(enclosingDefinition(source, 0), undefined);
  assert.strictEqual(enclosingDefinition(source, 99), 'σ_total');
});

test('isName accepts Min identifiers only', () => {
  for (const name of ['main', 'black_scholes', 'σ', '_tmp', 'd0', 'xλ']) {
    assert.ok(isName(name), name);
  }
  for (const name of ['', '0x', 'a b', 'λx', 'f(x)', 'a.b']) {
    assert.ok(!isName(name), name);
  }
});
