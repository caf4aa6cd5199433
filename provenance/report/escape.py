"""Untrusted text (file names, document text) made harmless for each output channel.

A file name is chosen by whoever adds the file, and document text by whoever wrote the
page: either can hold a newline that starts a GitHub workflow command, an ANSI escape
that rewrites the terminal, a character XML 1.0 forbids, or a first character that a
spreadsheet reads as a formula. Each channel gets one function here, and the renderers
call it on every field they did not write themselves:

* :func:`visible`: terminal and CI log lines (text and ``github`` formats, ``Error:``);
* :func:`github_data` and :func:`github_property`: the two parts of a workflow command;
* :func:`spreadsheet_text` and :func:`is_formula_like`: CSV cells and workbook cells.
"""

from __future__ import annotations

from provenance.names import shown

# GitHub's runner also reads the legacy ``##[command]`` form anywhere in a line, not only at its start.
_LEGACY_COMMAND = "##["
# Spreadsheets read a cell starting with one of these as a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def visible(text: str) -> str:
    """``text`` as one safe line: hidden and control characters written as escapes, ``##[`` broken.

    The result holds no character a terminal or a CI log interprets, so a file name can
    neither start a new line (and a workflow command on it) nor move the cursor.

    >>> visible("a\\x1b[31mred\\nb.txt"), visible("x\\udcff.txt"), visible("bidi\\u202etxt.exe")
    ('a\\\\x1b[31mred\\\\x0ab.txt', 'x\\\\xff.txt', 'bidi\\\\u202etxt.exe')
    >>> visible("##[stop-commands]t"), visible("plain, café")
    ('##\\\\x5bstop-commands]t', 'plain, café')
    """
    out = shown(text)
    return out.replace(_LEGACY_COMMAND, "##\\x5b") if _LEGACY_COMMAND in out else out


def github_data(text: str) -> str:
    """The message of a workflow command: ``%``, CR and LF percent-encoded (GitHub's rules), the rest :func:`visible`.

    >>> github_data("50% done\\nnext\\x1b")
    '50%25 done%0Anext\\\\x1b'
    """
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def github_property(text: str) -> str:
    """A property of a workflow command (``file=``, ``title=``): also ``:`` and ``,`` percent-encoded.

    >>> github_property("a,b: c\\n::notice::x")
    'a%2Cb%3A c%0A%3A%3Anotice%3A%3Ax'
    """
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet read this cell text as a formula?

    >>> is_formula_like('=HYPERLINK("http://x")'), is_formula_like("-1"), is_formula_like("a=b")
    (True, True, False)
    """
    return text.startswith(FORMULA_STARTS)


def spreadsheet_text(text: str) -> str:
    """A text cell for CSV: one ``'`` before a formula-like start (OWASP), so it is read as text.

    >>> spreadsheet_text("@SUM(A1:A9)"), spreadsheet_text("Reuters")
    ("'@SUM(A1:A9)", 'Reuters')
    """
    return "'" + text if is_formula_like(text) else text
