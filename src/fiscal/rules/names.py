"""Names people use for the things a ruleset knows: ids, English and Korean names.

A budget officer types ``Seoul``, ``서울`` or ``서울특별시`` where a file says ``seoul``;
template staff type ``체결`` where the list says ``signed``. :class:`Names` resolves any of
them, case-insensitively, to the one id, refuses a name two things share (rather than
guessing), and says "did you mean" with the nearest known names when nothing matches.

The Korean short forms of regions are derived from the names in ``regions.yaml``, not
listed by hand: the legal suffix dropped (서울특별시 -> 서울, 경기도 -> 경기) and the
customary two-syllable form of a province (충청북도 -> 충북). This module reads no file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from fiscal.rules.ruleset import Ruleset

_SEPARATORS = re.compile(r"[\s_\-]+")
# Longest first, so 특별자치도 is dropped whole and not as 도.
_UPPER_SUFFIXES = ("특별자치시", "특별자치도", "특별시", "광역시", "도")
_BASIC_SUFFIXES = ("시", "군", "구")

# The Korean words of the closed lists the templates show (sheet_layout's help text).
STATUS_KO = {"proposed": "제안", "signed": "체결", "amended": "변경", "terminated": "해지"}
KIND_KO = {"ministry": "부처", "region": "지자체", "private": "민간"}


def key(text: str) -> str:
    """What two spellings of one name have in common: case, spaces, '-' and '_' ignored."""
    return _SEPARATORS.sub("_", text.strip().casefold()).strip("_")


@dataclass(frozen=True)
class Known:
    """One thing that can be named: its id, and its English and Korean names if any."""

    id: str
    en: str | None = None
    ko: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def shown(self) -> str:
        """How output says what a name resolved to: ``seoul (Seoul, 서울특별시)``."""
        names = [n for n in (self.en, self.ko) if n and n != self.id]
        return f"{self.id} ({', '.join(names)})" if names else self.id


@dataclass(frozen=True)
class Resolution:
    """What a typed name resolved to: one thing, or why not (the message to show)."""

    known: Known | None
    problem: str | None = None


class Names:
    """The names of one kind of thing (``what``: "region", "item", "status", ...)."""

    def __init__(self, what: str, known: Iterable[Known]) -> None:
        self.what = what
        self.known = tuple(known)
        self._ids: dict[str, Known] = {}
        self._names: dict[str, list[Known]] = {}
        for thing in self.known:
            self._ids.setdefault(key(thing.id), thing)
        for thing in self.known:
            for name in (thing.en, thing.ko, *thing.aliases):
                if name:
                    found = self._names.setdefault(key(name), [])
                    if thing not in found:
                        found.append(thing)

    @property
    def ids(self) -> list[str]:
        """The ids of everything known, in order."""
        return [k.id for k in self.known]

    def candidates(self, text: str) -> list[Known]:
        """Everything ``text`` could name: an id first (ids are unique), then names."""
        typed = key(text)
        if typed in self._ids:
            return [self._ids[typed]]
        return list(self._names.get(typed, []))

    def get(self, text: object) -> Known | None:
        """The one thing ``text`` names, or None (unknown or ambiguous)."""
        if not isinstance(text, str):
            return None
        found = self.candidates(text)
        return found[0] if len(found) == 1 else None

    def resolve(self, text: str) -> Resolution:
        """The thing ``text`` names, or the message saying why it names none."""
        found = self.candidates(text)
        if len(found) == 1:
            return Resolution(found[0])
        if found:
            return Resolution(
                None,
                f"{self.what} {text!r} is ambiguous: it could be "
                f"{' or '.join(k.shown for k in found)}; use the id",
            )
        return Resolution(None, self.unknown(text))

    def unknown(self, text: str, listed: bool = True) -> str:
        """``unknown region 'Seol'; did you mean 'seoul'?``, else the known ids if ``listed``."""
        hint = self.hint(text)
        if hint or not listed or not self.known:
            return f"unknown {self.what} {text!r}{hint}"
        return f"unknown {self.what} {text!r}; expected one of {', '.join(self.ids)}"

    def suggestions(self, text: str, limit: int = 3) -> list[Known]:
        """The known things whose id or name is nearest to ``text``."""
        by_key: dict[str, Known] = {}
        for thing in self.known:
            for name in (thing.id, thing.en, thing.ko, *thing.aliases):
                if name:
                    by_key.setdefault(key(name), thing)
        typed = key(text)
        scored = sorted(
            ((difflib.SequenceMatcher(None, typed, name).ratio(), name) for name in by_key),
            key=lambda pair: -pair[0],
        )
        best = scored[0][0] if scored else 0.0
        out: list[Known] = []
        # Only the near-best: "Seol" means seoul, not sejong too.
        for score, name in scored:
            if score < max(0.6, best - 0.1):
                break
            if by_key[name] not in out:
                out.append(by_key[name])
        return out[:limit]

    def hint(self, text: str) -> str:
        """``"; did you mean 'seoul'?"`` (or ``""`` when nothing known is near)."""
        near = self.suggestions(text)
        if not near:
            return ""
        return "; did you mean " + " or ".join(repr(k.id) for k in near) + "?"


def did_you_mean(text: str, known: Iterable[str], limit: int = 3) -> str:
    """A "did you mean" for a name among plain ids (parameters, series, agreements)."""
    return Names("name", (Known(k) for k in known)).hint(text) if text else ""


def _korean_short_forms(ko: str, tier: str) -> tuple[str, ...]:
    suffixes = _UPPER_SUFFIXES if tier == "upper" else _BASIC_SUFFIXES
    for suffix in suffixes:
        stem = ko.removesuffix(suffix)
        if stem != ko and len(stem) >= 2:
            # 충청북도 -> 충청북 -> 충북: the customary short form of a province.
            if tier == "upper" and len(stem) == 3 and stem[-1] in "북남":
                return (stem, stem[0] + stem[-1])
            return (stem,)
    return ()


def region_names(ruleset: Ruleset) -> Names:
    """Every region by id, English name, Korean name and Korean short form."""
    return Names(
        "region",
        (
            Known(r.id, r.name.en, r.name.ko, _korean_short_forms(r.name.ko, r.tier))
            for r in ruleset.regions
        ),
    )


def item_names(ruleset: Ruleset) -> Names:
    """Every budget item by id and by its English and Korean labels."""
    return Names("item", (Known(i.id, i.label.en, i.label.ko) for i in ruleset.items))


def ministry_names(ruleset: Ruleset) -> Names:
    """Every central ministry (부처) by id and by its English and Korean names."""
    return Names("ministry", (Known(m.id, m.name.en, m.name.ko) for m in ruleset.ministries))


def party_names(ruleset: Ruleset) -> Names:
    """The regions and ministries that may be a party to an agreement."""
    return Names("party", (*region_names(ruleset).known, *ministry_names(ruleset).known))


def status_names(statuses: Iterable[str]) -> Names:
    """Agreement statuses (signed, 체결, ...) by their English and Korean words."""
    return Names("status", (Known(s, s, STATUS_KO.get(s)) for s in statuses))


def kind_names(kinds: Iterable[str]) -> Names:
    """Party kinds (ministry 부처, region 지자체, private 민간) by English and Korean."""
    return Names("kind", (Known(k, k, KIND_KO.get(k)) for k in kinds))


def parameter_names(ruleset: Ruleset) -> Names:
    """Every parameter of the ruleset by its path (e.g. ``local_shared_tax.rate``)."""
    return Names("parameter", (Known(p) for p in ruleset.parameters))


def agreement_names(ruleset: Ruleset) -> Names:
    """Every agreement by its id and its title."""
    return Names("agreement", (Known(a.id, a.title) for a in ruleset.agreements))


__all__ = [
    "KIND_KO",
    "STATUS_KO",
    "Known",
    "Names",
    "Resolution",
    "agreement_names",
    "did_you_mean",
    "item_names",
    "key",
    "kind_names",
    "ministry_names",
    "parameter_names",
    "party_names",
    "region_names",
    "status_names",
]
