"""The FHIR `_filter` grammar (https://hl7.org/fhir/search_filter.html) as the ROR documentation uses it.

`parse(text)` turns the expression into a small tree of frozen dataclasses (`Compare`, `And`, `Or`, `Not`);
nothing here knows about the index: `fhir_api.query` compiles the tree. Precedence, lowest first: `or`, `and`,
`not`; parentheses group; keywords and operators are case-insensitive (`OR` appears in the documentation).

Beyond the HL7 grammar, two forms the ROR documents are read as it means them:
- a value list: after `param op value`, `or value` (a bare value, not followed by an operator) adds a value
  to that comparison — `(address-postalcode eq "22" or "29")` is `address-postalcode eq "22" or "29"`;
- `param=value` inside the expression (`_content=cardio`) is `param eq value`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fhir_api.params import InvalidParam

OPERATORS = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "co", "sw", "ew", "pr")
UNSUPPORTED = ("ap", "po", "ss", "sb", "in", "ni", "re")
MAX_LENGTH = 4000
MAX_DEPTH = 32
_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-.:]*$")


@dataclass(frozen=True)
class Compare:
    """`path op value[s]`: `path` may be chained and carry a modifier (`organization.type:above`); the values of
    a value list are OR-ed."""

    path: str
    op: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "word", "string"
    text: str
    at: int


def _error(message: str) -> InvalidParam:
    return InvalidParam(f"« _filter » invalide : {message}")


def tokenize(text: str) -> list[_Token]:
    """Words (any run of characters but blanks and parentheses), JSON-style quoted strings, parentheses."""
    tokens, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(ch, ch, i))
            i += 1
        elif ch == '"':
            value, end = _string(text, i)
            tokens.append(_Token("string", value, i))
            i = end
        else:
            start = i
            while i < len(text) and not text[i].isspace() and text[i] not in '()"':
                i += 1
            tokens.append(_Token("word", text[start:i], start))
    return tokens


def _string(text: str, start: int) -> tuple[str, int]:
    out, i = [], start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif ch == '"':
            return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    raise _error(f"guillemet non fermé (position {start + 1}).")


class _Parser:
    def __init__(self, tokens: list[_Token]):
        self.tokens, self.pos, self.depth = tokens, 0, 0

    def peek(self, offset: int = 0) -> _Token | None:
        at = self.pos + offset
        return self.tokens[at] if at < len(self.tokens) else None

    def keyword(self, word: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind == "word" and token.text.lower() == word

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise _error("expression incomplète.")
        self.pos += 1
        return token

    def expression(self):
        items = [self.conjunction()]
        while self.keyword("or"):
            self.take()
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def conjunction(self):
        items = [self.negation()]
        while self.keyword("and"):
            self.take()
            items.append(self.negation())
        return items[0] if len(items) == 1 else And(tuple(items))

    def negation(self):
        if self.keyword("not") and (nxt := self.peek(1)) is not None and nxt.kind == "(":
            self.take()
            return Not(self.primary())
        return self.primary()

    def primary(self):
        token = self.peek()
        if token is not None and token.kind == "(":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _error(f"plus de {MAX_DEPTH} niveaux de parenthèses.")
            inner = self.expression()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise _error("parenthèse non fermée.")
            self.take()
            self.depth -= 1
            return inner
        return self.comparison()

    def comparison(self) -> Compare:
        token = self.take()
        if token.kind != "word":
            raise _error(f"paramètre attendu à la position {token.at + 1}, trouvé « {token.text} ».")
        if "=" in token.text:  # `_content=cardio` (ROR documentation form)
            path, _, value = token.text.partition("=")
            return Compare(_path(path), "eq", (value,))
        path = _path(token.text)
        op_token = self.take()
        op = op_token.text.lower()
        if op_token.kind != "word" or op not in OPERATORS:
            if op in UNSUPPORTED:
                raise _error(f"l'opérateur « {op} » n'est pas pris en charge.")
            raise _error(f"opérateur attendu après « {path} », trouvé « {op_token.text} » "
                         f"(eq, ne, gt, lt, ge, le, sa, eb, co, sw, ew, pr).")
        value = self.take()
        if value.kind not in ("word", "string"):
            raise _error(f"valeur attendue après « {path} {op} ».")
        values = [value.text]
        while self.keyword("or") and self._bare_value_at(1):
            self.take()
            values.append(self.take().text)
        return Compare(path, op, tuple(values))

    def _bare_value_at(self, offset: int) -> bool:
        """A value alone (followed by `or`, `and`, `)` or the end), not the start of another comparison."""
        token = self.peek(offset)
        if token is None or token.kind not in ("word", "string"):
            return False
        if token.kind == "string":
            return True
        if "=" in token.text or token.text.lower() == "not":
            return False
        nxt = self.peek(offset + 1)
        return nxt is None or nxt.kind == ")" or (nxt.kind == "word" and nxt.text.lower() in ("or", "and"))


def _path(text: str) -> str:
    if "[" in text or "]" in text:
        raise _error(f"les filtres entre crochets ne sont pas pris en charge (« {text} »).")
    if not _PATH.match(text):
        raise _error(f"nom de paramètre invalide : « {text} ».")
    return text


def parse(text: str):
    """The tree of a `_filter` value; `InvalidParam` (→ 400 OperationOutcome) naming what is wrong."""
    if not text or not text.strip():
        raise _error("expression vide.")
    if len(text) > MAX_LENGTH:
        raise _error(f"expression trop longue (plus de {MAX_LENGTH} caractères).")
    parser = _Parser(tokenize(text))
    tree = parser.expression()
    rest = parser.peek()
    if rest is not None:
        raise _error(f"« {rest.text} » inattendu à la position {rest.at + 1}.")
    return tree


def comparisons(tree) -> list[Compare]:
    """Every comparison of a tree, left to right."""
    if isinstance(tree, Compare):
        return [tree]
    if isinstance(tree, Not):
        return comparisons(tree.item)
    return [c for item in tree.items for c in comparisons(item)]
