"""Which unit an item belongs to (SPEC §4), with the method and a Chinese reason.

Order: registered sender address, then the OA sub-folder or sidecar, then unit names
and aliases in sign-off, file name, subject and title. Sources that disagree, or no
source at all, send the item to review: precision over recall.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from config.roster import Roster, UnitEntry


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

    ``places`` are (label, text) pairs searched in order for unit names, e.g.
    [("落款", signoff), ("文件名", name), ("邮件主题", subject), ("标题", title)].
    ``extra_addresses`` are addresses the clerk assigned (email -> unit name).
    """
    if sender:
        address = sender.lower()
        unit = roster.by_email.get(address)
        name = unit.name if unit else (extra_addresses or {}).get(address)
        if name:
            return Attribution(name, "address", f"发件地址 {address} 已登记为{name}")
    hints = [
        (kind, label, value)
        for kind, label, value in (
            ("folder", "OA 子文件夹", folder_unit),
            ("sidecar", "OA 附带说明文件", sidecar_unit),
        )
        if value
    ]
    if hints:
        found = [(kind, label, value, roster.find(value)) for kind, label, value in hints]
        for _kind, label, value, unit in found:
            if unit is None:
                return Attribution(
                    None, "none", f"{label}“{value}”不是名册中的单位或简称，请核对后指定单位"
                )
        names = tuple(dict.fromkeys(unit.name for *_, unit in found if unit))
        if len(names) > 1:
            said = "，".join(f"{label}为“{value}”" for _k, label, value, _u in found)
            return Attribution(None, "conflict", f"{said}，两者不一致，请人工确认", names)
        kind, label, value, _unit = found[-1]
        return Attribution(names[0], kind, f"{label}为“{value}”")
    seen: dict[str, str] = {}
    for label, text in places or []:
        for unit in names_in(text or "", roster):
            seen.setdefault(unit.name, label)
        if seen:
            break  # the first place that names a unit decides; later places are weaker
    if len(seen) == 1:
        ((name, label),) = seen.items()
        return Attribution(name, "name", f"{label}中出现单位名称“{name}”")
    if len(seen) > 1:
        names = tuple(seen)
        return Attribution(
            None, "conflict", f"出现多个单位名称（{'、'.join(names)}），请人工确认", names
        )
    who = f"发件人 {sender} 未登记，且" if sender else ""
    return Attribution(None, "none", f"{who}未找到报送单位名称，请人工指定单位")
