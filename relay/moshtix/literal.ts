/**
 * Writes JavaScript values as GraphQL input literals, the form Moshtix's own examples use
 * (`viewer(token: "…") { saveWebhook(webhook: {…}) }`), so no schema type names have to be guessed
 * for variables. Strings go through JSON.stringify, whose escapes are valid GraphQL string escapes.
 */
export class GraphqlEnum {
  constructor(readonly name: string) {
    if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(name)) throw new Error(`not a GraphQL enum value: ${name}`);
  }
}

export type GraphqlValue =
  string | number | boolean | null | GraphqlEnum | GraphqlValue[] | { [key: string]: GraphqlValue };

export function graphqlLiteral(value: GraphqlValue): string {
  if (value === null) return 'null';
  if (value instanceof GraphqlEnum) return value.name;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('GraphQL numbers must be finite');
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(graphqlLiteral).join(', ')}]`;
  const fields = Object.entries(value).map(([key, field]) => `${key}: ${graphqlLiteral(field)}`);
  return `{${fields.join(', ')}}`;
}
