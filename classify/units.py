"""Which unit an item belongs to (SPEC §4), with the method and a Chinese reason.

Order: registered sender address, then the OA sub-folder or sidecar, then unit names
and aliases in sign-off, file name, subject and title. Sources that disagree, or no
source at all, send the item to review: precision over recall.
"""

from __future__ import annotations

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


def attribute(
    roster: Roster,
    *,
    sender: str | None = None,
    folder_unit: str | None = None,
    sidecar_unit: str | None = None,
    places: list[tuple[str, str]] | None = None,
    extra_addresses: dict[str, str] | None = None,
) -> Attribution:
    """Attribute an item.

    ``places`` are (label, text) pairs searched for unit names, strongest first, e.g.
    [("落款", signoff), ("文件名", name), ("邮件主题", subject), ("标题", title)]; the
    last one (the title) only counts when the others name nobody, since titles often
    mention other units. ``extra_addresses`` are addresses the clerk assigned.
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
        if named and len(named[0][1]) == 1:
            label, (signed,) = named[0]
            evidence.append(("name", f"{label}为“{signed}”", signed))
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
