// The relay's GraphQL literal writer, read back by the mock Moshtix API's argument reader.
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../sim/moshtix-api-query.js';
import { GraphqlEnum, graphqlLiteral } from '../../relay/moshtix/literal.js';

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
  });

  it('round-trips through a GraphQL argument reader (strings with quotes, backslashes and unicode)', () => {
    const tricky = 'a "quoted" \\ back\\slash, ünïcode ✓ and\ttab';
    const query = `mutation { viewer(token: ${graphqlLiteral(tricky)}) { saveWebhook(webhook: ${graphqlLiteral({ body: tricky, n: 1.5 })}) { id } } }`;
    const parsed = parseQuery(query, {});
    expect(parsed.argumentsOf('viewer')).toEqual({ token: tricky });
    expect(parsed.argumentsOf('saveWebhook')).toEqual({ webhook: { body: tricky, n: 1.5 } });
  });

  it('refuses values that have no literal form', () => {
    expect(() => graphqlLiteral(Number.NaN)).toThrow();
    expect(() => new GraphqlEnum('not valid')).toThrow();
  });
});
