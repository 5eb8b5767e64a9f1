"""Where a document stands in its life, and whether it is an unfilled template.

A document is a draft, in review, approved (current), superseded, obsolete, withdrawn or archived
(:data:`~qmscheck.vocabulary.LIFECYCLE_STATES`). What says so, in any language of the vocabulary's
``[status]`` words:

- its status field (a control table's "Estado: Obsoleto", front matter ``status: superseded``);
- a marker in its title or file name: a status word in capitals ("Ed 2 OBSOLETO"), in brackets
  ("issue 3 (superseded)") or after a dash at the end ("rev 2 - SUPERATA");
- a marker in capitals at the top of its text, where a watermark or a stamp reads ("OBSOLETE -
  superseded by issue 4");
- a folder named for retired documents ("Obsolete", "Archivio", "Obsoletos"), which also says the
  document is *kept apart* from the current ones.

A retired state (superseded, obsolete, withdrawn, archived) said anywhere outweighs a status field
that still says current: a document is retired by marking or moving it, and its control table is
often left as it was. A folder or a marker never says a document is approved; only its status does.

A *template* is a blank form: a template word in its name, title or folders ("Plantillas",
"Vorlage", "modello"), placeholders in its text (``{{ name }}``, ``[TODO]``, ``<company name>``,
``XXX``, ``dd/mm/yyyy``, ``______``, "[Describe the scope]"), or a register whose rows hold nothing
but placeholders. It is a form, whatever it is a form *for* (:attr:`Lifecycle.template_for`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from qmscheck.vocabulary import RETIRED_STATES, Vocabulary, active, normalise, words

#: How many placeholders make a text a template: one "[TODO]" left in a real document does not.
PLACEHOLDERS_MIN = 3
#: Where a watermark or stamp is read: the start of the text.
_MARK_TEXT = 400
#: Register rows looked at to tell a blank register: one real value among them settles it.
_ROWS_LOOKED_AT = 50

#: Blank lines to write on: a real document has them too (a signature line), so they count only
#: in a document already taken for a form.
_BLANKS = "____"
#: Per kind of placeholder, as inventory names it, what finds it.
_PLACEHOLDERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("{{ }}", re.compile(r"\{\{[^{}\n]{0,80}\}\}")),
    ("[TODO]", re.compile(r"\[\s*(?:TODO|TBD|TBC|INSERT|FILL IN|XXX)\b[^\]\n]{0,200}\]", re.IGNORECASE)),
    ("<name>", re.compile(r"<(?:[A-Za-z]+(?:[ _][A-Za-z]+)+|name|date|company|organi[sz]ation|client|owner)>")),
    ("XXX", re.compile(r"(?<![A-Za-z])X{3,}(?![A-Za-z])")),
    (
        "dd/mm/yyyy",
        re.compile(
            r"(?<![A-Za-z])(?:dd|tt|gg|jj|mm)[./-](?:mm|dd)[./-](?:yyyy|yy|aaaa|aa|jjjj|jj|åååå)(?![A-Za-z])"
            r"|(?<![A-Za-z])yyyy-mm-dd(?![A-Za-z])|_{2}/_{2}/_{2,4}",
            re.IGNORECASE,
        ),
    ),
    (_BLANKS, re.compile(r"_{4,}")),
    # An instruction in brackets where the text should be ("[Describir el alcance de la auditoría]"):
    # words, no digits (not a citation such as "[ISO 9001:2015]"), not a markdown link.
    ("[instruction]", re.compile(r"\[[^\W\d_][^\]\[\n\d]{6,120}\s[^\]\[\n\d]*\](?![(\[:])")),
)
_BRACKETED = re.compile(r"[(\[]([^()\[\]]{1,60})[)\]]")
_CAPITALS = re.compile(r"(?<![\w])([^\W\d_]{4,})(?![\w])")
_AFTER_DASH = re.compile(r"\s[-–—]\s+([^-–—]{2,40})$")


@dataclass(frozen=True)
class Lifecycle:
    """What :func:`lifecycle_of` found of one document or register."""

    state: str | None = None  # one of LIFECYCLE_STATES, when anything said it
    reason: str = ""  # what said it: "folder 'Obsoletos'; title says 'SUPERATA'"
    kept_apart: bool = False  # in a folder for retired documents
    template: bool = False
    template_reason: str = ""  # "placeholders {{ }} ×12, [TODO] ×3", "folder 'Plantillas'"

    @property
    def retired(self) -> bool:
        return self.state in RETIRED_STATES

    def attributes(self) -> dict[str, str | bool]:
        """What an item carries of it, for the rules to select on (``status`` is set apart)."""
        found: dict[str, str | bool] = {}
        if self.state is not None:
            found["lifecycle"] = self.state
            found["lifecycle_reason"] = self.reason
            found["kept_apart"] = self.kept_apart
        if self.template:
            found["template"] = True
            found["template_reason"] = self.template_reason
        return found


@functools.lru_cache(maxsize=16)
def placeholders(text: str) -> dict[str, int]:
    """Per kind of placeholder, how many the text holds (kinds with none left out). Kept for the
    last few texts: classifying one document asks of its text several times."""
    counts: dict[str, int] = {}
    rest = text
    for name, pattern in _PLACEHOLDERS:
        found = len(pattern.findall(rest))
        if found:
            counts[name] = found
            rest = pattern.sub(" ", rest)  # a "[TODO: dd/mm/yyyy]" counts once
    return counts


def _describe(counts: dict[str, int]) -> str:
    return "placeholders " + ", ".join(f"{name} ×{count}" for name, count in counts.items())


def _states(vocabulary: Vocabulary, text: str, allowed: Iterable[str]) -> list[tuple[str, str]]:
    """(state, word as written) for each status word of ``allowed`` states in ``text``."""
    wanted = frozenset(allowed)
    return [(term.meaning, term.text) for term in vocabulary.lifecycle.find(words(text)) if term.meaning in wanted]


def _marker(vocabulary: Vocabulary, text: str, allowed: tuple[str, ...]) -> tuple[str, str] | None:
    """A status word set off as a marker: in capitals, in brackets, or after a final dash."""
    fragments = [
        *(match.group(1) for match in _CAPITALS.finditer(text) if match.group(1).isupper()),
        *(match.group(1) for match in _BRACKETED.finditer(text)),
        *(match.group(1) for match in _AFTER_DASH.finditer(text.strip())),
    ]
    for fragment in fragments:
        found = _states(vocabulary, fragment, allowed)
        if found:
            return found[0][0], fragment.strip()
    return None


def status_state(status: str | None, vocabulary: Vocabulary | None = None) -> str | None:
    """The lifecycle state a status field's value says, in any language ("Obsoleto", "Freigegeben")."""
    if not status:
        return None
    vocabulary = vocabulary or active()
    exact = vocabulary.status.get(normalise(status))
    if exact is not None:
        return exact
    found = _states(vocabulary, status, (*RETIRED_STATES, "draft", "in_review", "approved"))
    return found[0][0] if found else None


def _folders(path: str) -> list[str]:
    return list(reversed(PurePosixPath(path).parent.parts))


def template_signal(
    path: str, title: str | None, text: str, vocabulary: Vocabulary | None = None, *, form: bool = False
) -> str | None:
    """Why a document is an unfilled template, or None: placeholders in its text (one is enough in
    a document already taken for a ``form``; blank lines alone count only there), else a template
    word in its file name, title or folders."""
    vocabulary = vocabulary or active()
    counts = placeholders(text)
    strong = sum(count for name, count in counts.items() if name != _BLANKS)
    if strong >= PLACEHOLDERS_MIN or (form and counts):
        return _describe(counts)
    for source, said in (
        ("file name", PurePosixPath(path).stem),
        ("title", title),
        *(("folder", folder) for folder in _folders(path)),
    ):
        hits = vocabulary.templates.find(words(said or ""))
        if hits:
            return f"folder '{said}'" if source == "folder" else f"{source} says '{hits[0].text}'"
    return None


def blank_rows(rows: Iterable[Iterable[object]]) -> str | None:
    """Why a register is a blank form, or None: the first of its rows hold nothing but empty cells
    and placeholders, and some placeholders (a printed log sheet, "dd/mm/yyyy" and "____" in every
    row)."""
    looked = 0
    holes = 0
    for row in rows:
        looked += 1
        for value in row:
            if value is None or value == "":
                continue
            if not isinstance(value, str):
                return None
            counts = placeholders(value)
            if not counts:
                return None
            holes += sum(counts.values())
        if looked >= _ROWS_LOOKED_AT:
            break
    if not holes:
        return None  # nothing written at all: the reader's business, not a form's
    return (
        f"{looked} row{'s' if looked != 1 else ''} with no real values, {holes} placeholder{'s' if holes != 1 else ''}"
    )


def lifecycle_of(
    path: str,
    title: str | None,
    text: str,
    status: str | None,
    *,
    template: str | None = None,
    vocabulary: Vocabulary | None = None,
) -> Lifecycle:
    """The lifecycle of a document at ``path`` from its title, the start of its text and its status
    field; ``template`` is why it is a blank form (:func:`template_signal`), if it is one."""
    vocabulary = vocabulary or active()
    retired: list[tuple[str, str]] = []  # (state, reason), strongest first
    said = status_state(status, vocabulary)
    said_by = f"status says '{status}'"
    if said in RETIRED_STATES:
        retired.append((said, f"status says '{status}'"))
    for source, value in (("title", title or ""), ("file name", PurePosixPath(path).stem)):
        marked = _marker(vocabulary, value, (*RETIRED_STATES, "draft"))
        if marked is not None:
            if marked[0] in RETIRED_STATES:
                retired.append((marked[0], f"{source} says '{marked[1]}'"))
            elif said is None:
                said, said_by = marked[0], f"{source} says '{marked[1]}'"
            break
    first_lines = "\n".join(line for line in text[:_MARK_TEXT].splitlines() if line.strip() != (title or "").strip())
    stamp = _marker(vocabulary, first_lines, RETIRED_STATES)
    if stamp is not None:
        retired.append((stamp[0], f"text says '{stamp[1]}'"))
    kept_apart = False
    for folder in _folders(path):
        found = _states(vocabulary, folder, RETIRED_STATES)
        if found:
            kept_apart = True
            retired.append((found[0][0], f"folder '{folder}'"))
            break
    if retired:
        reasons = list(dict.fromkeys(reason for _, reason in retired))
        return Lifecycle(retired[0][0], "; ".join(reasons), kept_apart, template is not None, template or "")
    if said is not None:
        return Lifecycle(said, said_by, False, template is not None, template or "")
    return Lifecycle(None, "", False, template is not None, template or "")
