import * as assert from 'assert';
import { test } from 'node:test';
import { parseArgs, quoteArg } from '../args';

function args(text: string): string[] {
  const parsed = parseArgs(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.args;
}

test('blanks separate arguments', () => {
  assert.deepStrictEqual(args('42 40  0.5\t0.1 0.2'), ['42', '40', '0.5', '0.1', '0.2']);
  assert.deepStrictEqual(args('   '), []);
  assert.deepStrictEqual(args(''), []);
});

test('the README examples read as minc expects them', () => {
  assert.deepStrictEqual(args(`'"text"' "'c'" '[1, 2, 3]' '(1, "a")' 'Some 3'`), [
    '"text"',
    "'c'",
    '[1, 2, 3]',
    '(1, "a")',
    'Some 3',
  ]);
  assert.deepStrictEqual(args(`'Binary Nil "." (Apply Nil Nil)'`), ['Binary Nil "." (Apply Nil Nil)']);
});

test('double quotes keep their escapes for \\ and "', () => {
  assert.deepStrictEqual(args(String.raw`"\"σ\"" "a\nb" "x\\y"`), ['"σ"', String.raw`a\nb`, String.raw`x\y`]);
});

test('a backslash outside quotes escapes the next character', () => {
  assert.deepStrictEqual(args(String.raw`Some\ 3 \'c\'`), ['Some 3', "'c'"]);
});

test('quoted parts join the word around them', () => {
  assert.deepStrictEqual(args(`a'b c'd "" ''`), ['ab cd', '', '']);
});

test('an unclosed quote is an error', () => {
  const single = parseArgs(`'[1, 2`);
  assert.ok(!single.ok && single.error.includes('single quote at column 1'));
  const double = parseArgs(`1 "abc`);
  assert.ok(!double.ok && double.error.includes('double quote at column 3'));
});

test('quoteArg round-trips through parseArgs', () => {
  for (const arg of ['42', '-7', '0.5', '"text"', "'c'", '[1, 2]', 'Some 3', '', "it's", 'σ²', '/usr/bin/minc']) {
    assert.deepStrictEqual(args(quoteArg(arg)), [arg]);
  }
  assert.strictEqual(quoteArg('black_scholes'), 'black_scholes');
});
