// The relay's GraphQL literal writer, read back by graphql-js (the parser the mock Moshtix API runs).
import { Kind, parse, valueFromASTUntyped, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GraphqlEnum, graphqlLiteral } from '../../relay/moshtix/literal.js';

/** Arguments of the first field named `name`, depth first, as plain values. */
function argumentsOf(query: string, name: string): Record<string, unknown> | null {
  const operation = parse(query).definitions[0] as OperationDefinitionNode;
  const search = (fields: readonly FieldNode[]): FieldNode | null => {
    for (const field of fields) {
      if (field.name.value === name) return field;
      const inner = search((field.selectionSet?.selections ?? []).filter((node) => node.kind === Kind.FIELD));
      if (inner) return inner;
    }
    return null;
  };
  const found = search(operation.selectionSet.selections.filter((node) => node.kind === Kind.FIELD));
  if (!found) return null;
  return Object.fromEntries(
    (found.arguments ?? []).map((arg) => [arg.name.value, valueFromASTUntyped(arg.value)]),
  );
}

describe('graphqlLiteral', () => {
  it('writes objects, lists, enums and escaped strings as GraphQL input literals', () => {
    const text = graphqlLiteral({
      client: { id: 6080 },
      body: '{ "eventType": "@eventType" }\n',
      types: [{ systemEventType: new GraphqlEnum('ORDER_SAVED') }],
      enabled: true,
      none: null,
    });
    expect(text).toBe(
      '{client: {id: 6080}, body: "{ \\"eventType\\": \\"@eventType\\" }\\n", types: [{systemEventType: ORDER_SAVED}], enabled: true, none: null}',
    );
    const value = parse(`{ f(a: ${text}) }`);
    const field = (value.definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
    const types = field.arguments?.[0]?.value;
    expect(types?.kind).toBe(Kind.OBJECT);
    // The enum is written bare (an enum value), not as a string.
    expect(JSON.stringify(types)).toContain('"kind":"EnumValue","value":"ORDER_SAVED"');
  });

  it('round-trips through a real GraphQL parser (strings with quotes, backslashes and unicode)', () => {
    const tricky = 'a "quoted" \\ back\\slash, ünïcode ✓ and\ttab';
    const query = `mutation { viewer(token: ${graphqlLiteral(tricky)}) { saveWebhook(webhook: ${graphqlLiteral({ body: tricky, n: 1.5 })}) { id } } }`;
    expect(argumentsOf(query, 'viewer')).toEqual({ token: tricky });
    expect(argumentsOf(query, 'saveWebhook')).toEqual({ webhook: { body: tricky, n: 1.5 } });
  });

  it('refuses values that have no literal form', () => {
    expect(() => graphqlLiteral(Number.NaN)).toThrow();
    expect(() => new GraphqlEnum('not valid')).toThrow();
  });
});
