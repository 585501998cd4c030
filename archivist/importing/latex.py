"""LaTeX in BibTeX fields, read as the Unicode text it prints.

``{\\"O}zt\\"urk`` is ``Öztürk``, ``\\v{c}`` is ``č``, ``{\\i}`` is ``ı``, ``--`` is an en
dash, ``~`` a no-break space, ``\\emph{…}`` its text and ``\\mkbibquote{…}`` its text in
quotation marks; protective braces are removed.  A command this table does not know
(and math between ``$``) is kept as written rather than guessed at.
"""

from __future__ import annotations

import re
import unicodedata

# Accents: the combining character each command puts on the letter after it.
_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
    "t": "\u0361",
}
# Commands that stand for one character (or a few).
_SYMBOLS = {
    "i": "ı", "j": "ȷ", "l": "ł", "L": "Ł", "o": "ø", "O": "Ø", "ss": "ß", "SS": "SS",
    "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å", "dh": "ð",
    "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
    "textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^",
    "textunderscore": "_", "textbar": "|", "textless": "<", "textgreater": ">",
    "ldots": "…", "dots": "…", "textellipsis": "…", "textendash": "–",
    "textemdash": "—", "textquoteleft": "‘", "textquoteright": "’",
    "textquotedblleft": "“", "textquotedblright": "”", "guillemotleft": "«",
    "guillemotright": "»", "guillemetleft": "«", "guillemetright": "»", "S": "§",
    "P": "¶", "copyright": "©", "textcopyright": "©", "textregistered": "®",
    "texttrademark": "™", "pounds": "£", "textsterling": "£", "euro": "€",
    "texteuro": "€", "textdegree": "°", "textperiodcentered": "·", "textbullet": "•",
    "textexclamdown": "¡", "textquestiondown": "¿", "LaTeX": "LaTeX", "TeX": "TeX",
    "slash": "/", "nobreakspace": "\u00a0", "quad": " ", "qquad": " ", "space": " ",
    "newline": " ", "par": " ", "relax": "", "noopsort": "", "textsection": "§",
}
# Commands whose one argument is printed as it is (only its look changes).
_WRAPPERS = frozenset({
    "emph", "textit", "textbf", "textsc", "texttt", "textrm", "textsf", "textup",
    "textsl", "textmd", "textnormal", "mkbibemph", "mkbibitalic", "mkbibbold",
    "mbox", "hbox", "text", "NoCaseChange", "nocite", "url", "path", "textsuperscript",
    "textsubscript", "uppercase", "lowercase", "MakeUppercase", "MakeLowercase",
    "ensuremath", "foreignlanguage", "hyphenation", "textenglish",
})
# Commands whose argument is quoted.
_QUOTES = {"mkbibquote": ("“", "”"), "enquote": ("“", "”"), "mkbibparens": ("(", ")"),
           "mkbibbrackets": ("[", "]")}
# Declarations that change the font of the rest of their group: dropped.
_SWITCHES = frozenset({"em", "it", "bf", "sc", "tt", "rm", "sf", "sl", "normalfont",
                       "itshape", "bfseries", "scshape", "upshape", "mdseries",
                       "small", "footnotesize", "large", "Large", "protect"})
# What needs reading at all: text without these is returned as it is.
_SPECIAL = re.compile(r"[\\{}~`'\-$]")
_TOKEN = re.compile(r"\\([A-Za-z]+)\s*|\\(.)|(---?)|(``|''|`)|([{}~$])|([^\\{}~`'\-$]+|.)",
                    re.S)


def decode(text: str, *, ties: str = "\u00a0") -> str:
    """The Unicode text a BibTeX field's LaTeX prints, braces removed.

    :param ties: what ``~`` becomes (names read it as a space).
    """
    if not _SPECIAL.search(text):
        return text
    tokens = [m for m in _TOKEN.finditer(text)]
    out, _ = _group(tokens, 0, ties, top=True)
    return unicodedata.normalize("NFC", out)


def _argument(tokens: list[re.Match[str]], at: int, ties: str) -> tuple[str, int]:
    """The argument of a command at ``tokens[at]``: a group, or else one character."""
    while at < len(tokens) and tokens[at].group(6) is not None and tokens[at].group().isspace():
        at += 1
    if at >= len(tokens):
        return "", at
    token = tokens[at]
    if token.group(5) == "{":
        return _group(tokens, at + 1, ties)
    text = token.group()
    if token.group(6) is not None and len(text) > 1:
        # A run of letters: the accent takes its first, the rest follows.
        tokens[at:at + 1] = list(_TOKEN.finditer(text[1:]))
        return text[0], at
    if token.group(1) is not None:
        name = token.group(1)
        return _SYMBOLS.get(name, token.group()), at + 1
    return text, at + 1


def _group(tokens: list[re.Match[str]], at: int, ties: str, *,
           top: bool = False) -> tuple[str, int]:
    """The text from ``tokens[at]`` to the brace closing this group (or the end)."""
    parts: list[str] = []
    while at < len(tokens):
        token = tokens[at]
        at += 1
        command, escaped, dashes, quotes, mark, plain = token.groups()
        if plain is not None:
            parts.append(plain)
        elif command is not None:
            at = _command(command, token.group(), tokens, at, ties, parts)
        elif escaped is not None:
            if escaped in _ACCENTS:
                letter, at = _argument(tokens, at, ties)
                parts.append(_accented(letter, escaped))
            elif escaped == "\\":
                parts.append(" ")
            else:
                parts.append(escaped)  # \& \% \$ \# \_ \{ \} and "\ "
        elif dashes is not None:
            parts.append("—" if dashes == "---" else "–")
        elif quotes is not None:
            parts.append({"``": "“", "''": "”", "`": "‘"}[quotes])
        elif mark == "{":
            inner, at = _group(tokens, at, ties)
            parts.append(inner)
        elif mark == "}":
            if not top:
                return "".join(parts), at
        elif mark == "~":
            parts.append(ties)
        elif mark == "$":
            # Math is kept as written: there is no one Unicode text for it.
            end = at
            while end < len(tokens) and tokens[end].group() != "$":
                end += 1
            parts.append("$" + "".join(t.group() for t in tokens[at:end]) + "$")
            at = end + 1
    return "".join(parts), at


def _command(name: str, written: str, tokens: list[re.Match[str]], at: int, ties: str,
             parts: list[str]) -> int:
    """Read the command ``name`` (its arguments from ``tokens[at]``) into ``parts``."""
    if name in _ACCENTS:
        letter, at = _argument(tokens, at, ties)
        parts.append(_accented(letter, name))
    elif name in _SYMBOLS:
        parts.append(_SYMBOLS[name])
        if at < len(tokens) and tokens[at].group() == "{" and at + 1 < len(tokens) \
                and tokens[at + 1].group() == "}":
            at += 2  # \textbackslash{}
    elif name in _WRAPPERS:
        text, at = _argument(tokens, at, ties)
        parts.append(text)
    elif name in _QUOTES:
        text, at = _argument(tokens, at, ties)
        opening, closing = _QUOTES[name]
        parts.append(opening + text + closing)
    elif name in _SWITCHES:
        pass
    else:
        # Unknown: kept as written, its braced argument with it.
        parts.append(written.rstrip())
        if at < len(tokens) and tokens[at].group() == "{":
            inner, at = _group(tokens, at + 1, ties)
            parts.append("{" + inner + "}")
        elif written != written.rstrip():
            parts.append(" ")
    return at


def _accented(letter: str, accent: str) -> str:
    if not letter:
        return _ACCENTS[accent]
    # A dotless i or j takes the accent in place of the dot: \'{\i} is í.
    base = {"ı": "i", "ȷ": "j"}.get(letter[0], letter[0])
    return base + _ACCENTS[accent] + letter[1:]
