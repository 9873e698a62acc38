/**
 * A small checker for the subset of Alloy syntax LinkMesh renders (tests and defensive checks):
 * blocks `name.part "label" { … }`, attributes `key = expr`, strings with Go-style escapes,
 * numbers, booleans, null, dotted references, function calls, arrays, objects, indexing and
 * `//` / `/* *\/` comments. Operators are not supported. Errors carry line and column.
 */

export type AlloyExpr =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'ref'; readonly path: readonly string[]; readonly line: number; readonly column: number }
  | { readonly kind: 'call'; readonly callee: readonly string[]; readonly args: readonly AlloyExpr[] }
  | { readonly kind: 'index'; readonly target: AlloyExpr; readonly index: AlloyExpr }
  | { readonly kind: 'array'; readonly items: readonly AlloyExpr[] }
  | { readonly kind: 'object'; readonly entries: readonly { key: string; value: AlloyExpr }[] };

export type AlloyStatement =
  | {
      readonly kind: 'attribute';
      readonly name: string;
      readonly value: AlloyExpr;
      readonly line: number;
      readonly column: number;
    }
  | {
      readonly kind: 'block';
      /** Dotted name, e.g. `prometheus.exporter.self`. */
      readonly name: string;
      readonly label: string | undefined;
      readonly body: readonly AlloyStatement[];
      readonly line: number;
      readonly column: number;
    };

export class AlloySyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    detail: string,
  ) {
    super(`${line}:${column}: ${detail}`);
    this.name = 'AlloySyntaxError';
  }
}

type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'eof';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Decoded value for strings. */
  readonly value: string;
  readonly line: number;
  readonly column: number;
  /** A newline separates this token from the previous one. */
  readonly newlineBefore: boolean;
}

const punctuation = new Set(['{', '}', '[', ']', '(', ')', '=', ',', '.', ':']);
const simpleEscapes: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let column = 1;
  let newlineBefore = false;
  const advance = (count = 1) => {
    for (let k = 0; k < count; k++) {
      if (source[i] === '\n') {
        line++;
        column = 1;
        newlineBefore = true;
      } else {
        column++;
      }
      i++;
    }
  };
  const push = (kind: TokenKind, text: string, value: string, at: { line: number; column: number }) => {
    tokens.push({ kind, text, value, line: at.line, column: at.column, newlineBefore });
    newlineBefore = false;
  };
  while (i < source.length) {
    const c = source[i] as string;
    const at = { line, column };
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      advance();
    } else if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') advance();
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new AlloySyntaxError(at.line, at.column, 'unterminated block comment');
      advance(end + 2 - i);
    } else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < source.length && /[A-Za-z0-9_]/.test(source[i] as string)) advance();
      const text = source.slice(start, i);
      push('ident', text, text, at);
    } else if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(source.slice(i)) as RegExpExecArray;
      advance(match[0].length);
      push('number', match[0], match[0], at);
    } else if (c === '"') {
      advance();
      let value = '';
      for (;;) {
        const ch = source[i];
        if (ch === undefined || ch === '\n') {
          throw new AlloySyntaxError(at.line, at.column, 'unterminated string');
        }
        if (ch === '"') {
          advance();
          break;
        }
        if (ch === '\\') {
          const escapeAt = { line, column };
          const next = source[i + 1] ?? '';
          const simple = simpleEscapes[next];
          if (simple !== undefined) {
            value += simple;
            advance(2);
          } else if (next === 'u' || next === 'U') {
            const digits = next === 'u' ? 4 : 8;
            const hex = source.slice(i + 2, i + 2 + digits);
            if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(hex)) {
              throw new AlloySyntaxError(escapeAt.line, escapeAt.column, `invalid \\${next} escape`);
            }
            value += String.fromCodePoint(Number.parseInt(hex, 16));
            advance(2 + digits);
          } else {
            throw new AlloySyntaxError(escapeAt.line, escapeAt.column, `invalid escape \\${next}`);
          }
          continue;
        }
        value += ch;
        advance();
      }
      push('string', '', value, at);
    } else if (punctuation.has(c)) {
      advance();
      push('punct', c, c, at);
    } else {
      throw new AlloySyntaxError(at.line, at.column, `unexpected character ${JSON.stringify(c)}`);
    }
  }
  push('eof', '', '', { line, column });
  return tokens;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)] as Token;
  }
  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.position++;
    return token;
  }
  private isPunct(text: string, token = this.peek()): boolean {
    return token.kind === 'punct' && token.text === text;
  }
  private expectPunct(text: string): Token {
    const token = this.next();
    if (!this.isPunct(text, token)) this.fail(token, `expected "${text}", found ${describe(token)}`);
    return token;
  }
  private expectIdent(): Token {
    const token = this.next();
    if (token.kind !== 'ident') this.fail(token, `expected identifier, found ${describe(token)}`);
    return token;
  }
  private fail(token: Token, detail: string): never {
    throw new AlloySyntaxError(token.line, token.column, detail);
  }

  parseFile(): AlloyStatement[] {
    const body = this.parseBody();
    const end = this.peek();
    if (end.kind !== 'eof') this.fail(end, `unexpected ${describe(end)}`);
    return body;
  }

  private parseBody(): AlloyStatement[] {
    const statements: AlloyStatement[] = [];
    while (this.peek().kind !== 'eof' && !this.isPunct('}')) {
      const first = this.peek();
      if (statements.length > 0 && !first.newlineBefore) {
        this.fail(first, 'statements must be separated by a newline');
      }
      statements.push(this.parseStatement());
    }
    return statements;
  }

  private parseStatement(): AlloyStatement {
    const start = this.expectIdent();
    const path = [start.text];
    while (this.isPunct('.')) {
      this.next();
      path.push(this.expectIdent().text);
    }
    if (this.isPunct('=')) {
      if (path.length > 1) this.fail(start, 'attribute names cannot be dotted');
      this.next();
      return {
        kind: 'attribute',
        name: start.text,
        value: this.parseExpr(),
        line: start.line,
        column: start.column,
      };
    }
    let label: string | undefined;
    if (this.peek().kind === 'string') label = this.next().value;
    if (!this.isPunct('{')) {
      this.fail(this.peek(), `expected "=" or "{" after ${path.join('.')}, found ${describe(this.peek())}`);
    }
    this.next();
    const body = this.parseBody();
    this.expectPunct('}');
    return { kind: 'block', name: path.join('.'), label, body, line: start.line, column: start.column };
  }

  private parseExpr(): AlloyExpr {
    let expr = this.parsePrimary();
    for (;;) {
      if (this.isPunct('.') && expr.kind === 'ref') {
        this.next();
        expr = { ...expr, path: [...expr.path, this.expectIdent().text] };
      } else if (this.isPunct('(') && expr.kind === 'ref') {
        this.next();
        const args = this.parseList(')');
        expr = { kind: 'call', callee: expr.path, args };
      } else if (this.isPunct('[')) {
        this.next();
        const index = this.parseExpr();
        this.expectPunct(']');
        expr = { kind: 'index', target: expr, index };
      } else {
        return expr;
      }
    }
  }

  private parseList(close: string): AlloyExpr[] {
    const items: AlloyExpr[] = [];
    while (!this.isPunct(close)) {
      items.push(this.parseExpr());
      if (this.isPunct(',')) this.next();
      else if (!this.isPunct(close))
        this.fail(this.peek(), `expected "," or "${close}", found ${describe(this.peek())}`);
    }
    this.next();
    return items;
  }

  private parsePrimary(): AlloyExpr {
    const token = this.next();
    switch (token.kind) {
      case 'string':
        return { kind: 'string', value: token.value };
      case 'number':
        return { kind: 'number', value: Number(token.text) };
      case 'ident':
        if (token.text === 'true' || token.text === 'false')
          return { kind: 'bool', value: token.text === 'true' };
        if (token.text === 'null') return { kind: 'null' };
        return { kind: 'ref', path: [token.text], line: token.line, column: token.column };
      case 'punct':
        if (token.text === '[') return { kind: 'array', items: this.parseList(']') };
        if (token.text === '{') return this.parseObject();
        if (token.text === '(') {
          const inner = this.parseExpr();
          this.expectPunct(')');
          return inner;
        }
        return this.fail(token, `unexpected ${describe(token)} in expression`);
      case 'eof':
        return this.fail(token, 'unexpected end of input in expression');
    }
  }

  private parseObject(): AlloyExpr {
    const entries: { key: string; value: AlloyExpr }[] = [];
    while (!this.isPunct('}')) {
      const key = this.next();
      if (key.kind !== 'ident' && key.kind !== 'string')
        this.fail(key, `expected object key, found ${describe(key)}`);
      this.expectPunct('=');
      entries.push({ key: key.value, value: this.parseExpr() });
      if (this.isPunct(',')) this.next();
      else if (!this.isPunct('}'))
        this.fail(this.peek(), `expected "," or "}", found ${describe(this.peek())}`);
    }
    this.next();
    return { kind: 'object', entries };
  }
}

function describe(token: Token): string {
  if (token.kind === 'eof') return 'end of input';
  if (token.kind === 'string') return `string ${JSON.stringify(token.value)}`;
  return `"${token.text}"`;
}

/** Parses Alloy text into statements, or throws {@link AlloySyntaxError} with line and column. */
export function parseAlloy(source: string): AlloyStatement[] {
  return new Parser(tokenize(source)).parseFile();
}

/** Top-level labelled blocks as component ids: `prometheus.scrape "x"` → `prometheus.scrape.x`. */
export function alloyComponents(
  statements: readonly AlloyStatement[],
): Map<string, AlloyStatement & { kind: 'block' }> {
  const components = new Map<string, AlloyStatement & { kind: 'block' }>();
  for (const statement of statements) {
    if (statement.kind === 'block' && statement.label !== undefined) {
      components.set(`${statement.name}.${statement.label}`, statement);
    }
  }
  return components;
}

/** Every dotted reference used as a value (not function names), anywhere in the tree. */
export function alloyReferences(statements: readonly AlloyStatement[]): string[] {
  const found: string[] = [];
  const visitExpr = (expr: AlloyExpr): void => {
    switch (expr.kind) {
      case 'ref':
        found.push(expr.path.join('.'));
        break;
      case 'call':
        expr.args.forEach(visitExpr);
        break;
      case 'index':
        visitExpr(expr.target);
        visitExpr(expr.index);
        break;
      case 'array':
        expr.items.forEach(visitExpr);
        break;
      case 'object':
        expr.entries.forEach((entry) => visitExpr(entry.value));
        break;
      case 'string':
      case 'number':
      case 'bool':
      case 'null':
        break;
    }
  };
  const visit = (list: readonly AlloyStatement[]): void => {
    for (const statement of list) {
      if (statement.kind === 'attribute') visitExpr(statement.value);
      else visit(statement.body);
    }
  };
  visit(statements);
  return found;
}
