// The top-level definitions of a Min source text, found line by line: a
// definition starts in column 1 with a lower name (`name : Type`,
// `name p… = body`, or the name alone on its line for the vertical form).
// Used to suggest a function for `Min: Run Function…`.

const KEYWORDS = new Set(['import', 'let', 'in', 'if', 'then', 'else', 'match', 'true', 'false']);
const LOWER_AT_START = /^(?!λ)(?!\p{Uppercase})[\p{XID_Start}_][\p{XID_Continue}]*/u;
const NAME = /^(?!λ)[\p{XID_Start}_][\p{XID_Continue}]*$/u;

export interface Definition {
  name: string;
  /** Zero-based line of the definition's first line. */
  line: number;
}

/** The lower name that starts a line in column 1, if the line starts a definition. */
export function definitionName(line: string): string | undefined {
  const match = LOWER_AT_START.exec(line);
  if (!match) {
    return undefined;
  }
  const name = match[0];
  if (name === '_' || KEYWORDS.has(name)) {
    return undefined;
  }
  return name;
}

/** Every top-level definition, in order; consecutive equations of one name count once. */
export function topLevelDefinitions(text: string): Definition[] {
  const found: Definition[] = [];
  const lines = text.split(/\r?\n/);
  for (let line = 0; line < lines.length; line++) {
    const name = definitionName(lines[line]);
    if (name !== undefined && (found.length === 0 || found[found.length - 1].name !== name)) {
      found.push({ name, line });
    }
  }
  return found;
}

/** The definition that the given zero-based line belongs to, if any. */
export function enclosingDefinition(text: string, line: number): string | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = Math.min(line, lines.length - 1); i >= 0; i--) {
    const current = lines[i];
    if (current.length === 0 || /^[ \t]/.test(current) || current.startsWith('#')) {
      continue;
    }
    return definitionName(current);
  }
  return undefined;
}

/** Whether `text` is a Min identifier (what `minc run` accepts as a function name). */
export function isName(text: string): boolean {
  return NAME.test(text);
}
