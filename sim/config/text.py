"""Free text in input files (names, descriptions, labels, file names): what may be shown to a reader.

Bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) and other
invisible or non-printing characters can make a name look like something it
is not, in the terminal and in the HTML report. Input files are refused when
their free text holds any (:func:`check_display_text`); text from anywhere
else that reaches the terminal is escaped (:func:`terminal_safe`).

Allowed: every printable character of any script, spaces, and the zero-width
(non-)joiners U+200C/U+200D that some scripts and emoji need; tabs and line
breaks only in multi-line text such as descriptions.
"""

from __future__ import annotations

import unicodedata

# Cc control, Cf format (bidi controls, zero-width and invisible characters), Cs surrogate,
# Co private use, Cn unassigned, Zl/Zp line and paragraph separators.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_JOINERS = frozenset({"\u200c", "\u200d"})
_LINE_BREAKS = frozenset({"\t", "\n", "\r"})


def is_hidden(character: str, multiline: bool = False) -> bool:
    """True for a character that does not show as itself (or reorders what follows)."""
    if character in _JOINERS or (multiline and character in _LINE_BREAKS):
        return False
    return unicodedata.category(character) in _HIDDEN_CATEGORIES


def describe_character(character: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``."""
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" ({name})" if name else "")


def check_display_text(text: str, multiline: bool = False) -> str:
    """Return ``text`` unchanged, or raise ValueError naming the first hidden character and where it is."""
    for position, character in enumerate(text):
        if is_hidden(character, multiline):
            kind = "a bidirectional or invisible formatting character" \
                if unicodedata.category(character) == "Cf" else "a control or non-printing character"
            raise ValueError(f"{_shorten(text)!r} contains {describe_character(character)}, {kind}, "
                             f"at position {position + 1}; remove it (such characters can make text "
                             "display as something else)")
    return text


def terminal_safe(text: str) -> str:
    """``text`` with every hidden character written as an escape (``\\u202e``); line breaks and tabs kept."""
    if not any(is_hidden(character, multiline=True) for character in text):
        return text
    return "".join(_escape(character) if is_hidden(character, multiline=True) else character
                   for character in text)


def _escape(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else (f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."
