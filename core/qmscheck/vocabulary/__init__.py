"""The words of a quality system in each supported language, as data: one TOML file per language.

Each file (``en.toml``, ``de.toml``, …) holds, for one language:

- ``language`` (an ISO 639-1 code), ``name``, and ``date_order``: how that language writes numeric
  dates, ``"dmy"``, ``"mdy"`` or ``"either"`` (English: both are common);
- ``stopwords``: the commonest function words, which tell the language of a text;
- ``label_fillers``: articles and prepositions a column header may carry or leave out ("Date
  d'application" and the front-matter key ``date_application``): a label that matches no field
  as written is looked up without them, where that names one field only;
- ``note_words``: what a spreadsheet's helper cells below or beside a register say ("Today",
  "Total", "Overdue"): a row of one or two cells starting with one is a note, not a record;
- ``weak_date_labels``: field labels that mean a date only when the value is one ("Target: 98 %");
- ``template_words``: words in a title, file name or folder that make a document a blank form;
- ``not_applicable``: what a scope statement says of a requirement it excludes ("not applicable",
  "no aplica"), read by the scope step;
- ``[documents]``: per evidence type, what a title, file name, folder or first heading says a
  document is ("quality manual", "informe de auditoría");
- ``[registers]``: per evidence type, what a sheet or register file name says its rows are;
- ``[codes]``: per evidence type, document-number prefixes ("PG" for "PG-03", "MQ" for "MQ-01");
- ``[sections]``: per evidence type, headings and labels typical of its content;
- ``[fields]``: per canonical field (``readers.fields``), the labels and column headers that name it;
- ``[status]``: per lifecycle state (:data:`LIFECYCLE_STATES`), the words that say it;
- ``[answers]``: ``yes`` and ``no`` words; ``[months]``: per month number, its names;
- ``[topics]``: per topic a rule of kind ``mentions`` names (``supplier_performance``), the words
  that say a document addresses it; a term ending in ``:`` counts only standing on its own (a
  heading, a label before ``:`` or a tab, a table cell, a word in parentheses);
- ``[record_status]``: per status the rules name in English ("closed", "in use", "retired"), the
  words a register's status column uses for it ("Cerrada", "In uso", "De baja");
- ``[frequencies]``: per period (``P12M``), the words a procedure uses to say something is done
  that often ("once a year", "jährlich", "una vez al año"): how the check stage reads the
  organisation's own intervals from its procedures (``checking.stated_periods``);
- ``[deadlines]``: per unit (``D`` days, ``W`` weeks, ``M`` months), the phrases that set a time
  limit, ``#`` standing for the number ("within # days", "innerhalb von # Tagen"): how the check
  stage reads the organisation's own deadlines ("complaints are closed within 30 days"). Working
  days are not calendar days, so no phrase counts them.

Terms are compared as words after :func:`words`: case, accents, punctuation, hyphens and
underscores, camel case and simple plural endings do not matter, so "Non-conformités" matches
"non conformite". A term ending in ``*`` matches any word that starts with it, for languages that
join words ("kalibrier*" matches "Kalibrierprotokoll"). Labels are compared after
:func:`normalise` (no plural folding: "Causes" and "Cause" are both listed where both occur).

The built-in files are read once per process (:func:`builtin`), without the plugin manager. A plugin
adds words through the ``qmscheck_register_vocabulary`` hook, and a selected rule pack through the
files its manifest names; the scan classifies with the built-in files and those (:func:`active`),
and the worker processes that read files are given the same (:func:`extra_files`), so that a
pack's column headers (``[fields]``) name its fields and its ``[topics]`` are found whatever the
number of processes. Month names and record status words are read by the file readers from the
built-in files alone: a plugin's or pack's file may not hold ``[months]`` or ``[record_status]``.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

#: The languages shipped, in the order ties between them are settled.
LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "it", "pt", "nl", "sv")

LIFECYCLE_STATES: tuple[str, ...] = (
    "draft",
    "in_review",
    "approved",
    "superseded",
    "obsolete",
    "withdrawn",
    "archived",
)
#: The states that take a document out of use.
RETIRED_STATES: tuple[str, ...] = ("superseded", "obsolete", "withdrawn", "archived")

DATE_ORDERS = frozenset({"dmy", "mdy", "either"})

_LISTS = ("stopwords", "label_fillers", "note_words", "weak_date_labels", "template_words", "not_applicable")
_TABLES = (
    "documents",
    "registers",
    "codes",
    "sections",
    "fields",
    "status",
    "answers",
    "months",
    "record_status",
    "topics",
    "frequencies",
    "deadlines",
)
_KEYS = frozenset({"language", "name", "date_order", *_LISTS, *_TABLES})
#: What the file readers and the checks use: a plugin's file may not hold them (see the module's docstring).
_READER_TABLES = ("months", "record_status")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_CODE = re.compile(r"^[A-Z]{1,5}$")
_PERIOD = re.compile(r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$")
#: The units a ``[deadlines]`` phrase counts in, as ISO 8601 period designators.
DEADLINE_UNITS = ("D", "W", "M")
_NON_WORD = re.compile(r"[\W_]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_VOWELS = "aeiou"


class VocabularyError(ValueError):
    """A vocabulary file that cannot be used; the message names the file and the key."""


# --- normalising ---------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Lower case, accents stripped, every run of punctuation, hyphens and underscores one space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", plain).strip()


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """A crude, language-blind singular: enough that "procedures", "procedure"; "proveedores",
    "proveedor"; "fornitori", "fornitore"; "Lieferanten", "Lieferant" compare equal. Both sides
    of a comparison are stemmed alike, so it need not be a real word."""
    if len(word) <= 4 or not word.isalpha():
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 5 and word.endswith("en"):
        return word[:-2]
    while len(word) > 4 and word[-1] in _VOWELS:
        word = word[:-1]
    return word


def _singular(label: str) -> str:
    """A normalised label with each word's final "s" dropped: labels are short and exact, so only
    the plural ending is folded ("Causas" and "Causa"), not the word's stem ("Datos" is not "Date")."""
    return " ".join(
        word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
        for word in label.split()
    )


def words(text: str) -> tuple[str, ...]:
    """The stemmed words of a title, name or heading ("QM-001_QualityManual" → qm 001 quality manual)."""
    return tuple(stem(word) for word in normalise(_CAMEL.sub(" ", text)).split())


# --- terms ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One term of a vocabulary file: what it says (an evidence type, a state), in which language."""

    meaning: str
    language: str
    text: str
    words: tuple[str, ...]
    prefix: bool = False  # the last word matches any word that starts with it


#: Ends one text's words where several texts are searched at once: no term holds it.
_SEGMENT_END = "\x00"
#: How many words' prefix matches a term index keeps (a few MB at most).
_PREFIXED_WORDS = 100_000


class TermIndex:
    """Finds every term of a table in a text, word by word."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self._by_first: dict[str, list[Term]] = {}
        # One-word prefix terms ("kalibrier*") by their text, with their order in the table: a word
        # is looked up once per prefix length rather than compared with every prefix term.
        self._prefixes: dict[str, list[tuple[int, Term]]] = {}
        count = 0
        for term in terms:
            if term.prefix and len(term.words) == 1:
                self._prefixes.setdefault(term.words[0], []).append((count, term))
                count += 1
            else:
                self._by_first.setdefault(term.words[0], []).append(term)
        self._prefix_lengths = sorted({len(prefix) for prefix in self._prefixes})
        # The prefix terms each word starts with: the words of a share repeat from file to file.
        self._prefixed: dict[str, tuple[Term, ...]] = {}

    def _prefix_terms(self, word: str) -> tuple[Term, ...]:
        terms = self._prefixed.get(word)
        if terms is None:
            matched = [
                entry
                for length in self._prefix_lengths
                if length <= len(word)
                for entry in self._prefixes.get(word[:length], ())
            ]
            terms = tuple(term for _, term in sorted(matched, key=lambda entry: entry[0]))
            if len(self._prefixed) >= _PREFIXED_WORDS:
                self._prefixed.clear()
            self._prefixed[word] = terms
        return terms

    def find(self, text_words: Sequence[str]) -> list[Term]:
        """The terms found, each once, in the order they first occur."""
        return list(dict.fromkeys(term for _, _, term in self.spans(text_words)))

    def spans(self, text_words: Sequence[str]) -> list[tuple[int, int, Term]]:
        """Every occurrence of a term: the positions of its first word and of the word after it."""
        found: list[tuple[int, int, Term]] = []
        for position, word in enumerate(text_words):
            for term in self._by_first.get(word, ()):
                end = position + len(term.words)
                if tuple(text_words[position:end]) == term.words or (
                    term.prefix
                    and tuple(text_words[position : end - 1]) == term.words[:-1]
                    and end <= len(text_words)
                    and text_words[end - 1].startswith(term.words[-1])
                ):
                    found.append((position, end, term))
            found += [(position, position + 1, term) for term in self._prefix_terms(word)]
        return found


def _term(meaning: str, language: str, text: str) -> Term | None:
    prefix = text.endswith("*")
    # A prefix is compared unstemmed: "kalibrier*" must not lose its last letters.
    body = normalise(text.rstrip("*")).split() if prefix else list(words(text))
    if prefix and body:
        body = [stem(word) for word in body[:-1]] + [body[-1]]
    return Term(meaning, language, text, tuple(body), prefix) if body else None


# --- files ---------------------------------------------------------------------------------


def _strings(where: str, value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise VocabularyError(f"{where}: expected a list of non-empty strings")
    return value


@dataclass(frozen=True)
class VocabularyFile:
    """One language's words, as TOML text in the format the module's docstring describes.

    ``name`` identifies it (a plugin's file is registered under it, and errors name it). Building
    one checks it, so a plugin's faulty file fails where the plugin registers it.
    """

    name: str
    text: str
    data: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            raise VocabularyError(f"vocabulary {self.name}: not valid TOML ({exc})") from exc
        _check(self.name, data)
        object.__setattr__(self, "data", data)

    @classmethod
    def from_path(cls, path: Path, name: str | None = None) -> VocabularyFile:
        """A vocabulary file read from disk (UTF-8); named after the file unless ``name`` is given."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise VocabularyError(f"vocabulary {path}: cannot read it ({exc})") from exc
        return cls(name or path.name, text)

    @property
    def language(self) -> str:
        language: str = self.data["language"]
        return language


def _check(name: str, data: dict[str, Any]) -> None:
    where = f"vocabulary {name}"
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise VocabularyError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    language = data.get("language")
    if not isinstance(language, str) or not _LANGUAGE.match(language):
        raise VocabularyError(f"{where}: 'language' must be a language code such as 'es'")
    if "date_order" in data and data["date_order"] not in DATE_ORDERS:
        raise VocabularyError(f"{where}: 'date_order' must be one of {', '.join(sorted(DATE_ORDERS))}")
    for key in _LISTS:
        if key in data:
            _strings(f"{where}: {key}", data[key])
    for table in _TABLES:
        entries = data.get(table, {})
        if not isinstance(entries, dict):
            raise VocabularyError(f"{where}: [{table}] must be a table")
        for key, value in entries.items():
            _strings(f"{where}: [{table}] {key}", value)
            _check_key(f"{where}: [{table}]", table, key)
        if table == "codes":
            for key, value in entries.items():
                bad = [code for code in value if not _CODE.match(code)]
                if bad:
                    raise VocabularyError(f"{where}: [codes] {key}: {bad[0]!r} is not 1 to 5 capital letters")


def _check_key(where: str, table: str, key: str) -> None:
    if table == "status" and key not in LIFECYCLE_STATES:
        raise VocabularyError(f"{where}: {key!r} is not a lifecycle state ({', '.join(LIFECYCLE_STATES)})")
    if table == "answers" and key not in ("yes", "no"):
        raise VocabularyError(f"{where}: {key!r} is neither 'yes' nor 'no'")
    if table == "months" and not (key.isdigit() and 1 <= int(key) <= 12):
        raise VocabularyError(f"{where}: {key!r} is not a month number 1 to 12")
    if table == "frequencies" and not _PERIOD.match(key):
        raise VocabularyError(f"{where}: {key!r} is not a period such as P12M")
    if table == "deadlines" and key not in DEADLINE_UNITS:
        raise VocabularyError(f"{where}: {key!r} is not a unit of a deadline ({', '.join(DEADLINE_UNITS)})")
    if table not in ("months", "answers", "status", "record_status", "frequencies", "deadlines") and not _NAME.match(
        key
    ):
        raise VocabularyError(f"{where}: {key!r} is not a name (lower case letters, digits, underscores)")


# --- the vocabulary ------------------------------------------------------------------------


def _claim(index: dict[str, Any], key: str, value: object, what: str, where: str, owners: dict[str, str]) -> None:
    """index[key] = value, refusing a key another file or entry gave another meaning."""
    previous = index.setdefault(key, value)
    if previous != value:
        raise VocabularyError(f"{where}: {what} {key!r} means {value!r} here and {previous!r} in {owners[what + key]}")
    owners.setdefault(what + key, where)


class Vocabulary:
    """The lookup tables built from a set of vocabulary files (see the module's docstring)."""

    def __init__(self, files: Sequence[VocabularyFile]) -> None:
        self.files = tuple(files)
        languages: list[str] = []
        self.date_order: dict[str, str] = {}
        self.stopwords: dict[str, frozenset[str]] = {}
        self.field_labels: dict[str, tuple[str, ...]] = {}
        self.fields: dict[str, str] = {}
        self.singular_fields: dict[str, str] = {}
        #: Per normalised label, the languages that use it.
        self.label_languages: dict[str, frozenset[str]] = {}
        self.weak_date_labels: frozenset[str] = frozenset()
        self.status: dict[str, str] = {}
        self.answers: dict[str, bool] = {}
        self.months: dict[str, int] = {}
        #: A frequency phrase, normalised, to the period it says ("once a year" -> P12M).
        self.frequencies: dict[str, str] = {}
        #: A deadline phrase, normalised around its number ("within # days"), to its unit (D).
        self.deadlines: dict[str, str] = {}
        #: A register's status word, normalised, to the rules' English word.
        self.record_status: dict[str, str] = {}
        #: Per document-number prefix, the evidence type it stands for in each language.
        self.codes: dict[str, dict[str, str]] = {}
        #: Per topic id, per language, the terms that say a text addresses it (``checking.topics``).
        self.topics: dict[str, dict[str, tuple[str, ...]]] = {}
        tables: dict[str, list[Term]] = {
            "documents": [],
            "registers": [],
            "sections": [],
            "templates": [],
            "not_applicable": [],
            "lifecycle": [],
        }
        owners: dict[str, str] = {}
        weak: set[str] = set()
        fillers: set[str] = set()
        notes: set[str] = set()
        labels: dict[str, list[str]] = {}
        label_languages: dict[str, set[str]] = {}
        for file in files:
            data, language, where = file.data, file.language, f"vocabulary {file.name}"
            if language not in languages:
                languages.append(language)
            if "date_order" in data:
                self.date_order[language] = data["date_order"]
            self.stopwords[language] = self.stopwords.get(language, frozenset()) | {
                normalise(word) for word in data.get("stopwords", ())
            }
            weak |= {normalise(label) for label in data.get("weak_date_labels", ())}
            fillers |= {normalise(word) for word in data.get("label_fillers", ())}
            notes |= {normalise(word) for word in data.get("note_words", ())}
            for table in ("documents", "registers", "sections"):
                for meaning, texts in data.get(table, {}).items():
                    tables[table] += filter(None, (_term(meaning, language, text) for text in texts))
            tables["templates"] += filter(
                None, (_term("form", language, text) for text in data.get("template_words", ()))
            )
            tables["not_applicable"] += filter(
                None, (_term("not_applicable", language, text) for text in data.get("not_applicable", ()))
            )
            for meaning, codes in data.get("codes", {}).items():
                for code in codes:
                    by_language = self.codes.setdefault(code, {})
                    if by_language.setdefault(language, meaning) != meaning:
                        raise VocabularyError(
                            f"{where}: [codes] {code!r} stands for {by_language[language]!r} and {meaning!r}"
                        )
            for name, texts in data.get("fields", {}).items():
                labels.setdefault(name, [])
                for label in texts:
                    key = normalise(label)
                    _claim(self.fields, key, name, "[fields] label", where, owners)
                    labels[name].append(label)
                    label_languages.setdefault(key, set()).add(language)
            for topic, texts in data.get("topics", {}).items():
                said = self.topics.setdefault(topic, {})
                said[language] = (*said.get(language, ()), *texts)
            for state, texts in data.get("status", {}).items():
                for text in texts:
                    _claim(self.status, normalise(text), state, "[status] word", where, owners)
                tables["lifecycle"] += filter(None, (_term(state, language, text) for text in texts))
            for answer, texts in data.get("answers", {}).items():
                for text in texts:
                    self.answers.setdefault(normalise(text), answer == "yes")
            for status, texts in data.get("record_status", {}).items():
                for text in texts:
                    _claim(self.record_status, normalise(text), status, "[record_status] word", where, owners)
            for period, texts in data.get("frequencies", {}).items():
                for text in texts:
                    _claim(self.frequencies, normalise(text), period, "[frequencies] phrase", where, owners)
            for unit, texts in data.get("deadlines", {}).items():
                for text in texts:
                    phrase = " # ".join(normalise(part) for part in text.split("#")).strip()
                    _claim(self.deadlines, phrase, unit, "[deadlines] phrase", where, owners)
            for number, texts in data.get("months", {}).items():
                for text in texts:
                    _claim(self.months, normalise(text), int(number), "[months] name", where, owners)
        self.languages = tuple(languages)
        self.weak_date_labels = frozenset(weak)
        self.field_labels = {name: tuple(dict.fromkeys(texts)) for name, texts in labels.items()}
        self.label_languages = {key: frozenset(found) for key, found in label_languages.items()}
        # Canonical names double as labels (front matter "next_review: ..."), but a listed label
        # wins: "Reference" is a document number, not `reference`.
        for name in self.field_labels:
            self.fields.setdefault(normalise(name), name)
        # Plural and singular labels alike ("Causas", "Asistente"), where that makes no clash.
        singulars: dict[str, set[str]] = {}
        for key, name in self.fields.items():
            singulars.setdefault(_singular(key), set()).add(name)
        self.singular_fields = {key: next(iter(names)) for key, names in singulars.items() if len(names) == 1}
        self.label_fillers = frozenset(fillers)
        self.note_words = frozenset(notes)
        # Without articles and prepositions, where that makes no clash ("date application").
        bare: dict[str, set[str]] = {}
        for key, name in self.fields.items():
            bare.setdefault(self._bare(_singular(key)), set()).add(name)
        self.bare_fields = {key: next(iter(names)) for key, names in bare.items() if key and len(names) == 1}
        self.documents = TermIndex(tables["documents"])
        self.registers = TermIndex(tables["registers"])
        self.sections = TermIndex(tables["sections"])
        self.templates = TermIndex(tables["templates"])
        #: The [status] words as terms, found inside a longer text ("Rev 2 - SUPERATA", "Obsoletos").
        self.lifecycle = TermIndex(tables["lifecycle"])
        #: What a scope statement says of a requirement it excludes, in every language.
        self.not_applicable = TermIndex(tables["not_applicable"])

    def _bare(self, key: str) -> str:
        return " ".join(word for word in key.split() if word not in self.label_fillers)

    def field(self, label: str) -> str | None:
        """The canonical field a label names, or None."""
        key = normalise(label)
        found = self.fields.get(key)
        if found is None:
            found = self.singular_fields.get(_singular(key))
        if found is None:
            found = self.bare_fields.get(self._bare(_singular(key)))
        return found

    def code(self, prefix: str, language: str | None) -> str | None:
        """The evidence type a document-number prefix stands for: in ``language`` when known,
        else the one all languages agree on."""
        by_language = self.codes.get(prefix)
        if not by_language:
            return None
        if language is not None and language in by_language:
            return by_language[language]
        meanings = set(by_language.values())
        return next(iter(meanings)) if len(meanings) == 1 else None

    def language_of(self, texts: Iterable[str], labels: Iterable[str] = ()) -> str | None:
        """The language most of the words are in: stopwords count one, the words of a vocabulary
        term or a field label two. None when nothing tells, or two languages tie."""
        scores = dict.fromkeys(self.languages, 0)
        # Every text's words in one list, each text's own once per term found in it: one pass of
        # each index over the lot, rather than one per title, heading and paragraph.
        stemmed: list[str] = []
        segment_of: list[int] = []
        for segment, text in enumerate(texts):
            plain = normalise(_CAMEL.sub(" ", text)).split()
            for word in plain:
                for language, stopwords in self.stopwords.items():
                    if word in stopwords:
                        scores[language] += 1
            stemmed += [stem(word) for word in plain]
            stemmed.append(_SEGMENT_END)
            segment_of += [segment] * (len(plain) + 1)
        for index in (self.documents, self.registers, self.sections):
            for _, term in dict.fromkeys((segment_of[start], term) for start, _, term in index.spans(stemmed)):
                scores[term.language] += 2
        for label in labels:
            for language in self.label_languages.get(normalise(label), ()):
                scores[language] += 2
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
            return None
        return ranked[0][0]


def _builtin_files() -> list[VocabularyFile]:
    folder = resources.files(__name__)
    return [
        VocabularyFile(f"{language}.toml", (folder / f"{language}.toml").read_text(encoding="utf-8"))
        for language in LANGUAGES
    ]


@lru_cache(maxsize=1)
def builtin() -> Vocabulary:
    """The vocabulary shipped with qmscheck, built once per process."""
    return Vocabulary(_builtin_files())


_active: Vocabulary | None = None
_extra: tuple[VocabularyFile, ...] = ()
_extra_digest = ""


def use(extra: Sequence[VocabularyFile]) -> None:
    """Classify with the built-in vocabulary and ``extra`` (the plugins' and the selected packs'
    files) from now on in this process; an empty ``extra`` goes back to the built-in one."""
    global _active, _extra, _extra_digest
    for file in extra:
        held = [table for table in _READER_TABLES if file.data.get(table)]
        if held:
            raise VocabularyError(
                f"vocabulary {file.name}: [{held[0]}] is read by the file readers or the checks, which run "
                "in worker processes without plugins; it belongs in qmscheck's own vocabulary files"
            )
    _active = Vocabulary([*_builtin_files(), *extra]) if extra else None
    _extra = tuple(extra)
    _extra_digest = hashlib.sha256(json.dumps([[f.name, f.text] for f in extra]).encode()).hexdigest() if extra else ""


def extra_files() -> tuple[VocabularyFile, ...]:
    """The files :func:`use` added: a worker process that reads files is given them too."""
    return _extra


def extra_digest() -> str:
    """A digest of the words :func:`use` added: what is classified with them depends on it."""
    return _extra_digest


def active() -> Vocabulary:
    """What classification uses: the built-in vocabulary and, in a process that loaded plugins,
    theirs (:func:`use`)."""
    return _active or builtin()
