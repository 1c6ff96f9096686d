import { type ConsentPurpose, consentPurposeEnum, type SegmentExpression } from '../db/schema.ts';
import { type MutationError, mutationError } from '../errors.ts';

/** SegmentExpressionInput as GraphQL delivers it: every field optional. */
export interface SegmentExpressionInput {
  and?: SegmentExpressionInput[] | null;
  or?: SegmentExpressionInput[] | null;
  not?: SegmentExpressionInput | null;
  tag?: string | null;
  city?: string | null;
  ownsBrand?: string | null;
  consent?: ConsentPurpose | null;
}

export const MAX_DEPTH = 8;
export const MAX_NODES = 100;
const MAX_TEXT = 100;
const operators = ['and', 'or', 'not', 'tag', 'city', 'ownsBrand', 'consent'] as const;

/**
 * Validates a segment expression: each node sets exactly one of and/or/not/tag/city/ownsBrand/
 * consent; lists are non-empty; strings are trimmed and non-empty. Errors name the node's path,
 * e.g. `input.expression.and[1].not.tag`. The result is the canonical stored form.
 */
export function parseSegmentExpression(
  input: SegmentExpressionInput,
  path = 'input.expression',
): { expression: SegmentExpression } | { errors: MutationError[] } {
  const errors: MutationError[] = [];
  let nodes = 0;
  const walk = (node: SegmentExpressionInput, at: string, depth: number): SegmentExpression | null => {
    nodes += 1;
    if (nodes === MAX_NODES + 1)
      errors.push(mutationError(path, 'EXPRESSION_TOO_LARGE', `may hold at most ${MAX_NODES} nodes`));
    if (depth > MAX_DEPTH) {
      errors.push(mutationError(at, 'EXPRESSION_TOO_DEEP', `may nest at most ${MAX_DEPTH} levels`));
      return null;
    }
    const set = operators.filter((k) => node[k] !== null && node[k] !== undefined);
    if (set.length !== 1) {
      errors.push(
        mutationError(
          at,
          'EXPRESSION_NODE_INVALID',
          set.length === 0
            ? `must set one of ${operators.join(', ')}`
            : `sets ${set.join(' and ')}; set exactly one (combine with and/or)`,
        ),
      );
      return null;
    }
    const op = set[0]!;
    switch (op) {
      case 'and':
      case 'or': {
        const children = node[op]!;
        if (children.length === 0) {
          errors.push(mutationError(`${at}.${op}`, 'EXPRESSION_EMPTY', 'must hold at least one expression'));
          return null;
        }
        const parsed = children.map((c, i) => walk(c, `${at}.${op}[${i}]`, depth + 1));
        if (parsed.some((p) => p === null)) return null;
        return op === 'and' ? { and: parsed as SegmentExpression[] } : { or: parsed as SegmentExpression[] };
      }
      case 'not': {
        const child = walk(node.not!, `${at}.not`, depth + 1);
        return child ? { not: child } : null;
      }
      case 'consent':
        if (!consentPurposeEnum.enumValues.includes(node.consent!)) {
          errors.push(mutationError(`${at}.consent`, 'CONSENT_PURPOSE_INVALID', 'is not a consent purpose'));
          return null;
        }
        return { consent: node.consent! };
      default: {
        const value = node[op]!.trim();
        if (!value || value.length > MAX_TEXT) {
          errors.push(mutationError(`${at}.${op}`, 'VALUE_INVALID', `must be 1 to ${MAX_TEXT} characters`));
          return null;
        }
        return op === 'tag' ? { tag: value } : op === 'city' ? { city: value } : { ownsBrand: value };
      }
    }
  };
  const expression = walk(input, path, 1);
  return expression && errors.length === 0 ? { expression } : { errors };
}

/** A readable rendering, e.g. `tag:"viewed:WEY-MOCHA-2024" AND NOT consent:MARKETING_SMS`. */
export function describeSegmentExpression(e: SegmentExpression): string {
  const inner = (x: SegmentExpression) =>
    'and' in x || 'or' in x ? `(${describeSegmentExpression(x)})` : describeSegmentExpression(x);
  if ('and' in e) return e.and.map(inner).join(' AND ');
  if ('or' in e) return e.or.map(inner).join(' OR ');
  if ('not' in e) return `NOT ${inner(e.not)}`;
  if ('tag' in e) return `tag:${JSON.stringify(e.tag)}`;
  if ('city' in e) return `city:${JSON.stringify(e.city)}`;
  if ('ownsBrand' in e) return `ownsBrand:${JSON.stringify(e.ownsBrand)}`;
  return `consent:${e.consent}`;
}
