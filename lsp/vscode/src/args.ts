// Splitting the argument line of `Min: Run Function…` into `minc run` arguments.
//
// The rules are those of a POSIX shell, so that the examples of the Min README
// can be pasted as they are: blanks separate arguments; '…' quotes literally;
// "…" quotes with \" \\ \$ and \` as escapes; a backslash outside quotes
// escapes the next character. No variables, globs or other expansions.
//
//   42 0.5 '"text"' "'c'" '[1, 2, 3]' 'Some 3'
//   → 42 | 0.5 | "text" | 'c' | [1, 2, 3] | Some 3

export type ParsedArgs = { ok: true; args: string[] } | { ok: false; error: string };

export function parseArgs(text: string): ParsedArgs {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) {
        args.push(current);
        current = '';
        inWord = false;
      }
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) {
        return { ok: false, error: `the single quote at column ${i + 1} is never closed` };
      }
      current += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let closed = false;
      while (j < text.length) {
        const d = text[j];
        if (d === '"') {
          closed = true;
          break;
        }
        if (d === '\\' && j + 1 < text.length && '"\\$`'.includes(text[j + 1])) {
          current += text[j + 1];
          j += 2;
        } else {
          current += d;
          j++;
        }
      }
      if (!closed) {
        return { ok: false, error: `the double quote at column ${i + 1} is never closed` };
      }
      inWord = true;
      i = j + 1;
    } else if (c === '\\') {
      if (i + 1 < text.length) {
        current += text[i + 1];
      }
      inWord = true;
      i += 2;
    } else {
      current += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) {
    args.push(current);
  }
  return { ok: true, args };
}

/** One argument written so that `parseArgs` (and a POSIX shell) reads it back unchanged. */
export function quoteArg(arg: string): string {
  if (arg !== '' && /^[\p{L}\p{N}_.,:+\-=/@%^]+$/u.test(arg)) {
    return arg;
  }
  return "'" + arg.replace(/'/g, `'"'"'`) + "'";
}
