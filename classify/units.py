"""Which unit an item belongs to (SPEC §4), with the method and a Chinese reason.

Order: registered sender address, then the OA sub-folder or sidecar, then unit names
and aliases in sign-off, the unit a heading starts with ("区城管局：……"), file name,
subject and title. Sources that disagree, or no
source at all, send the item to review: precision over recall.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from zwxx.config.roster import Roster, UnitEntry


@dataclass(frozen=True)
class Attribution:
    unit: str | None
    method: str  # address | folder | sidecar | name | none | conflict
    reason: str
    candidates: tuple[str, ...] = field(default=())


def names_in(text: str, roster: Roster) -> list[UnitEntry]:
    """Units named in ``text``; longest names first so 区自然资源局 never hides
    市自然资源和规划局第一服务中心. No word boundaries: Chinese has none."""
    found: list[UnitEntry] = []
    remaining = text
    for name, unit in roster.names_longest_first():
        if name in remaining:
            remaining = remaining.replace(name, "\0")
            if unit not in found:
                found.append(unit)
    return found


_CLAIM_COLON = re.compile(r"^\s*[：:]")


def heading_claim(title: str, roster: Roster, *, colon_only: bool = False) -> str | None:
    """The unit a heading says sent it, by the unit's own name at its start: a name or
    alias before a colon ("区城管局：开展……", whatever else it names), or a heading that
    starts with the unit's name and names no other unit ("区民政局开展敬老月活动"; not
    "区财政局区税务局联合开展……", a joint text, nor "区农业农村局到寨里镇调研").
    ``colon_only``: only the first form, the one that is the sender's own word."""
    text = title.strip()
    for name, unit in roster.names_longest_first():
        if not text.startswith(name):
            continue
        if _CLAIM_COLON.match(text[len(name) :]):
            return unit.name
        if colon_only:
            return None
        others = [u for u in names_in(text, roster) if u.name != unit.name]
        return None if others else unit.name
    return None


def attribute(
    roster: Roster,
    *,
    sender: str | None = None,
    folder_unit: str | None = None,
    sidecar_unit: str | None = None,
    places: list[tuple[str, str]] | None = None,
    extra_addresses: dict[str, str] | None = None,
    signed: int = 1,
) -> Attribution:
    """Attribute an item.

    ``places`` are (label, text) pairs searched for unit names, strongest first, e.g.
    [("落款", signoff), ("标题开头", heading's unit), ("文件名", name), ("邮件主题",
    subject), ("标题", title)]; the last one (the title) only counts when the others name
    nobody, since titles often mention other units. The first ``signed`` places are the
    sender's own claim (the sign-off, a unit named before a colon at the heading's
    start): naming another unit than the sender's address or folder, they contradict
    it. ``extra_addresses`` are addresses the clerk assigned.
    """
    # Sources that say who sent it: (method, Chinese description, unit name).
    said: list[tuple[str, str, str]] = []
    if sender:
        address = sender.lower()
        unit = roster.by_email.get(address)
        name = unit.name if unit else (extra_addresses or {}).get(address)
        if name:
            said.append(("address", f"发件地址 {address} 已登记为{name}", name))
    for kind, label, value in (
        ("folder", "OA 子文件夹", folder_unit),
        ("sidecar", "OA 附带说明文件", sidecar_unit),
    ):
        if not value:
            continue
        unit = roster.find(value)
        if unit is None:
            return Attribution(
                None, "none", f"{label}“{value}”不是名册中的单位或简称，请核对后指定单位"
            )
        said.append((kind, f"{label}为“{value}”", unit.name))
    # What the document itself names: a place naming exactly one unit claims it.
    *strong, weak = places or [("", "")]
    named = [(label, [u.name for u in names_in(text or "", roster)]) for label, text in strong]
    claims = [(label, units[0]) for label, units in named if len(units) == 1]
    if said:
        # The sign-off (供稿单位, the first place) naming another unit contradicts the
        # sender; mentions elsewhere (subject, file name) are not a contradiction.
        evidence = list(said)
        for label, units in named[: max(signed, 0)]:
            if len(units) == 1:
                evidence.append(("name", f"{label}为“{units[0]}”", units[0]))
        return _agree(evidence)
    if claims:
        return _agree([("name", f"{label}中出现单位名称“{unit}”", unit) for label, unit in claims])
    several = next((units for _label, units in named if len(units) > 1), None)
    if several is None:
        weak_units = [u.name for u in names_in(weak[1] or "", roster)] if weak[0] else []
        if len(weak_units) == 1:
            return Attribution(weak_units[0], "name", f"{weak[0]}中出现单位名称“{weak_units[0]}”")
        several = weak_units if len(weak_units) > 1 else None
    if several:
        return Attribution(
            None,
            "conflict",
            f"出现多个单位名称（{'、'.join(several)}），请人工确认",
            tuple(several),
        )
    who = f"发件人 {sender} 未登记，且" if sender else ""
    return Attribution(None, "none", f"{who}未找到报送单位名称，请人工指定单位")


def _agree(evidence: list[tuple[str, str, str]]) -> Attribution:
    """One unit if every piece of evidence names the same one; else review."""
    names = tuple(dict.fromkeys(unit for *_, unit in evidence))
    if len(names) == 1:
        method, text, unit = evidence[0]
        return Attribution(unit, method, text)
    detail = "，".join(text for _m, text, _u in evidence)
    return Attribution(None, "conflict", f"{detail}，彼此不一致，请人工确认", names)
