// PromQL read with Prometheus's own grammar (@prometheus-io/lezer-promql, the parser of Prometheus's
// web UI), so that an alert's expression can be shown on a panel without copying it by hand.
import { parser } from '@prometheus-io/lezer-promql';

const COMPARISONS = new Set(['Gtr', 'Gte', 'Lss', 'Lte', 'Eql', 'Neq']);

/**
 * The syntax errors of a PromQL expression.
 *
 * @param {string} expr PromQL, template variables already substituted
 * @returns {{from: number, to: number, near: string}[]} empty when the expression parses
 */
export function promqlErrors(expr) {
  const errors = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push({ from: node.from, to: node.to, near: expr.slice(Math.max(0, node.from - 20), node.to + 20) });
      }
    },
  });
  return errors;
}

/**
 * What an alert measures and where it fires: for an expression `X > n` (any comparison against a
 * number, at the top level), X and n; for any other expression (`A and B`, `A or B`, ...) the whole
 * expression, which returns series only while the alert's condition holds.
 *
 * @param {string} expr an alert's expression
 * @returns {{expr: string, threshold?: number, comparison?: string}}
 * @throws {Error} when the expression does not parse
 */
export function measure(expr) {
  if (promqlErrors(expr).length > 0) {
    throw new Error(`PromQL does not parse: ${expr}`);
  }
  const top = parser.parse(expr).topNode.firstChild;
  if (top.name === 'BinaryExpr') {
    const left = top.firstChild;
    const op = left.nextSibling;
    const right = top.lastChild;
    if (COMPARISONS.has(op.name) && right.name === 'NumberDurationLiteral' && op.nextSibling.from === right.from) {
      return {
        expr: expr.slice(left.from, left.to).trim(),
        comparison: expr.slice(op.from, op.to),
        threshold: Number(expr.slice(right.from, right.to)),
      };
    }
  }
  return { expr };
}

/**
 * The expression with one more label matcher on every vector selector, except those of the named metrics:
 * `rate(x[5m]) / y{a="b"}` narrowed by `service="shop-api"` is
 * `rate(x{service="shop-api"}[5m]) / y{service="shop-api",a="b"}`.
 *
 * @param {string} expr PromQL
 * @param {string} matcher one label matcher, e.g. `service="shop-api"`
 * @param {Set<string>} [except] metric names whose selectors stay as they are (series without the label)
 * @returns {string}
 */
export function narrow(expr, matcher, except = new Set()) {
  const edits = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') {
        return;
      }
      const name = node.node.getChild('Identifier');
      const matchers = node.node.getChild('LabelMatchers');
      if (name && except.has(expr.slice(name.from, name.to))) {
        return false;
      }
      if (matchers) {
        const empty = expr.slice(matchers.from + 1, matchers.to - 1).trim() === '';
        edits.push({ at: matchers.from + 1, text: empty ? matcher : `${matcher}, ` });
      } else {
        edits.push({ at: name.to, text: `{${matcher}}` });
      }
      return false;
    },
  });
  let out = expr;
  for (const e of edits.sort((a, b) => b.at - a.at)) {
    out = out.slice(0, e.at) + e.text + out.slice(e.at);
  }
  return out;
}
