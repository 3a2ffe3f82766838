"""Expressions of linked sweep parameters: arithmetic of the factor's value ``x``, never ``eval``.

A linked parameter follows its factor, e.g. ``escalation = 0.9 - x`` while
``x`` (containment) varies, so the probabilities keep adding up to 1. The
form is deliberately small:

* numbers (``0.9``, ``2``, ``1e-3``) and the variable ``x``;
* ``+``, ``-``, ``*``, ``/``, ``**``, parentheses and a leading ``-``;
* the functions ``min(a, b, ...)``, ``max(a, b, ...)``, ``abs(a)`` and ``round(a[, digits])``.

The text is parsed by Python's own parser into a syntax tree (``ast``,
which runs nothing) and every node is checked against the list above;
anything else (names other than ``x``, attributes, subscripts, strings,
other calls) is refused with the reason. Evaluation walks the checked
tree.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass

MAX_LENGTH = 200
VARIABLE = "x"
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_FUNCTIONS = {"min": min, "max": max, "abs": abs, "round": round}
_ARGUMENTS = {"min": (2, 64), "max": (2, 64), "abs": (1, 1), "round": (1, 2)}  # fewest, most
ALLOWED = "numbers, x, + - * / **, parentheses, min(), max(), abs(), round()"


class ExpressionError(ValueError):
    """An expression outside the allowed form; the message says what is allowed."""


@dataclass(frozen=True)
class Expression:
    """A checked expression of ``x``."""

    text: str
    tree: ast.Expression

    def evaluate(self, x: float) -> float:
        """The value at ``x`` (an ExpressionError on division by zero or an overflow)."""
        try:
            value = _evaluate(self.tree.body, float(x))
        except (ZeroDivisionError, OverflowError) as error:
            raise ExpressionError(f"{self.text!r} at x = {x:g}: {error}") from None
        if isinstance(value, complex) or not math.isfinite(value):
            raise ExpressionError(f"{self.text!r} at x = {x:g} is not a finite number")
        return float(f"{value:.12g}")  # 0.9 - 0.3 is 0.6, not 0.6000000000000001


def parse_expression(text: str) -> Expression:
    """Check ``text`` against the allowed form; raise :class:`ExpressionError` naming the first problem."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(f"an expression of x is required ({ALLOWED}), e.g. '0.9 - x'")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise ExpressionError(f"{text!r} is not an expression ({ALLOWED})") from None
    _check(tree.body, text)
    return Expression(text.strip(), tree)


def _check(node: ast.AST, text: str) -> None:
    """Accept the node and (recursively) its operands, or raise naming what is not allowed."""
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check(node.left, text)
        _check(node.right, text)
        return
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        _check(node.operand, text)
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return
    if isinstance(node, ast.Name) and node.id == VARIABLE:
        return
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS \
            and not node.keywords and _ARGUMENTS[node.func.id][0] <= len(node.args) <= _ARGUMENTS[node.func.id][1]:
        for argument in node.args:
            _check(argument, text)
        return
    what = {ast.Name: "the name {}", ast.Call: "this call", ast.Attribute: "attributes",
            ast.Subscript: "subscripts", ast.Constant: "the constant {}"}
    label = next((form for kind, form in what.items() if isinstance(node, kind)), type(node).__name__)
    detail = getattr(node, "id", None) or repr(getattr(node, "value", ""))
    raise ExpressionError(f"{text!r}: {label.format(detail)} is not allowed (only {ALLOWED})")


def _evaluate(node: ast.AST, x: float):
    if isinstance(node, ast.Constant):
        # As a float: whole-number powers such as ((9**99)**99)**99 would otherwise grow exact integers
        # for minutes instead of overflowing at once.
        return float(node.value)
    if isinstance(node, ast.Name):
        return x
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, x), _evaluate(node.right, x)
        if isinstance(node.op, ast.Pow) and abs(right) > 100:
            raise OverflowError("exponent too large")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_evaluate(node.operand, x))
    arguments = [_evaluate(argument, x) for argument in node.args]
    if node.func.id == "round":
        return round(arguments[0], int(arguments[1])) if len(arguments) > 1 else round(arguments[0])
    return _FUNCTIONS[node.func.id](*arguments)
