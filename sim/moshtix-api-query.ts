/**
 * Just enough GraphQL reading for the mock Moshtix API: tokenise the query text and read the
 * arguments of a named field (`viewer(token: …)`, `saveWebhook(webhook: {…})`), with `$variables`
 * resolved. Enum values come back as GraphqlEnumValue so the mock can tell `ORDER_SAVED` from
 * `"ORDER_SAVED"`, as a real GraphQL server does.
 */
export class GraphqlEnumValue {
  constructor(readonly name: string) {}
}

type Token = { kind: 'punct' | 'name' | 'string' | 'number'; text: string; value?: unknown };

export class QuerySyntaxError extends Error {}

export function tokenise(query: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s+|,|#[^\n]*|("(?:[^"\\\n]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([_A-Za-z][_0-9A-Za-z]*)|(\.\.\.|[{}()[\]:!$=@|&])/y;
  let index = 0;
  while (index < query.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(query);
    if (!match)
      throw new QuerySyntaxError(`Syntax Error: Unexpected character "${query[index]}" at offset ${index}`);
    index = pattern.lastIndex;
    const [, string, number, name, punct] = match;
    if (string !== undefined)
      tokens.push({ kind: 'string', text: string, value: JSON.parse(string) as string });
    else if (number !== undefined) tokens.push({ kind: 'number', text: number, value: Number(number) });
    else if (name !== undefined) tokens.push({ kind: 'name', text: name });
    else if (punct !== undefined) tokens.push({ kind: 'punct', text: punct });
  }
  return tokens;
}

class ValueReader {
  constructor(
    private readonly tokens: Token[],
    public position: number,
    private readonly variables: Record<string, unknown>,
  ) {}

  private next(): Token {
    const token = this.tokens[this.position];
    if (!token) throw new QuerySyntaxError('Syntax Error: Unexpected end of query');
    this.position += 1;
    return token;
  }

  private expect(text: string): void {
    const token = this.next();
    if (token.text !== text)
      throw new QuerySyntaxError(`Syntax Error: Expected "${text}", found "${token.text}"`);
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  value(): unknown {
    const token = this.next();
    if (token.kind === 'string' || token.kind === 'number') return token.value;
    if (token.text === '$') {
      const name = this.next().text;
      if (!(name in this.variables)) throw new QuerySyntaxError(`Variable "$${name}" was not provided`);
      return this.variables[name];
    }
    if (token.text === '[') {
      const items: unknown[] = [];
      while (this.peek()?.text !== ']') items.push(this.value());
      this.expect(']');
      return items;
    }
    if (token.text === '{') return this.fields('}');
    if (token.kind === 'name') {
      if (token.text === 'true' || token.text === 'false') return token.text === 'true';
      if (token.text === 'null') return null;
      return new GraphqlEnumValue(token.text);
    }
    throw new QuerySyntaxError(`Syntax Error: Unexpected "${token.text}"`);
  }

  /** `name: value` pairs up to the closing punctuator. */
  fields(close: string): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    while (this.peek()?.text !== close) {
      const name = this.next();
      if (name.kind !== 'name')
        throw new QuerySyntaxError(`Syntax Error: Expected Name, found "${name.text}"`);
      this.expect(':');
      result[name.text] = this.value();
    }
    this.expect(close);
    return result;
  }
}

export interface ParsedQuery {
  operation: 'query' | 'mutation';
  /** Arguments of the first field with this name, `{}` when it has none, null when absent. */
  argumentsOf(field: string): Record<string, unknown> | null;
}

export function parseQuery(query: string, variables: Record<string, unknown>): ParsedQuery {
  const tokens = tokenise(query);
  const operation = tokens[0]?.text === 'mutation' ? 'mutation' : 'query';
  // Skip the operation's variable definitions: `query Name($a: T!) {` — they are not field arguments.
  let bodyStart = tokens.findIndex((token) => token.text === '{');
  if (bodyStart < 0) throw new QuerySyntaxError('Syntax Error: Expected "{"');
  bodyStart += 1;
  return {
    operation,
    argumentsOf(field) {
      for (let index = bodyStart; index < tokens.length; index += 1) {
        const token = tokens[index];
        if (token?.kind !== 'name' || token.text !== field) continue;
        if (tokens[index + 1]?.text !== '(') return {};
        return new ValueReader(tokens, index + 2, variables).fields(')');
      }
      return null;
    },
  };
}
