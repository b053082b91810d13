"""The scoring method (计分通报办法) as validated data.

Every number of the annex lives in ``config/rules.toml``; code reads them from here.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from zwxx.config.validation import load_model

CATEGORY_KEYS = ("dynamic", "experience", "problem", "research", "special")
GROUP_KEYS = ("towns", "tier1", "tier2")
ADOPTION_KEYS = (
    "laiwu:full",
    "laiwu:composite",
    "laiwu:brief",
    "to_city:forward",
    "jinan:full",
    "jinan:brief",
    "jinan:special",
    "to_state:composite",
    "state:composite",
)
INSTRUCTION_KEYS = ("state", "province", "city", "district")
BONUS_KEYS = ("staff", "system", "training", "joint_research")
DEDUCTION_KEYS = ("city_solicitation", "district_solicitation", "major_info")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Duty(_Strict):
    period: Literal["month", "quarter"]
    research: int = Field(ge=0)
    special: int = Field(ge=0)


class Group(_Strict):
    label: str
    quota: int = Field(gt=0)
    duty: Duty


class Task(_Strict):
    quota_points: int = Field(ge=0)
    duty_points: int = Field(ge=0)
    shortfall_per_item: int = Field(ge=0)
    shortfall_forfeits_duty: bool
    solicited_counts_toward_quota: bool
    solicited_counts_toward_duty: bool


class Category(_Strict):
    short: str = Field(min_length=1, max_length=4)  # column heading in tables
    label: str
    limit: int = Field(ge=0, description="0 means no limit")
    tags: list[str]
    cues: list[str] = Field(default_factory=list)  # words in the title or lead
    # Shapes a title must have for a cue of this category in it to count as a title cue
    # ("…的调查", "调研报告"); elsewhere in a title ("调查资料陈旧") it counts as in the
    # lead. Empty: anywhere.
    title_shapes: list[str] = Field(default_factory=list)

    @field_validator("title_shapes")
    @classmethod
    def _regex(cls, v: list[str]) -> list[str]:
        return _compiles(v)

    @cached_property
    def title_shapes_rx(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.title_shapes]


CategoryKey = Literal["dynamic", "experience", "problem", "research", "special"]


def _compiles(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"正则表达式“{pattern}”无效：{exc}") from None
    return patterns


class Feature(_Strict):
    """One piece of evidence for a category (SPEC §3): where to look, what to find
    (regular expressions; a plain word is one too), how much it weighs, and the
    Chinese words that say so in the item's category reason."""

    category: CategoryKey
    weight: int = Field(ge=1, le=20)
    # title: the title (else the mail subject naming the topic); lead: the body's first
    # lead_chars; body: the whole body; openers: each paragraph's start; headings: the
    # headings of sections "一、…"; items: the points "一是…二是…首先…其次…".
    where: Literal["title", "lead", "body", "openers", "headings", "items"]
    patterns: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)  # none of these where a pattern is
    min_hits: int = Field(default=1, ge=0)  # patterns matched (title, lead, body) or parts
    min_chars: int = Field(default=0, ge=0)  # body at least this long
    max_chars: int = Field(default=0, ge=0)  # 0 = no limit
    min_sections: int = Field(default=0, ge=0)  # at least this many sections "一、"
    reason: str = Field(min_length=1)  # {place} {match} {chars} {sections} are filled in
    # Evidence (feature names, or "cue" for the category's cue words) of the same
    # category of which one must have fired for this one to count: length and sections
    # support research evidence, they are none by themselves.
    requires: list[str] = Field(default_factory=list)

    @field_validator("patterns", "unless")
    @classmethod
    def _regex(cls, v: list[str]) -> list[str]:
        return _compiles(v)

    # Compiled once when first used: classification runs them on every item.
    @cached_property
    def patterns_rx(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.patterns]

    @cached_property
    def unless_rx(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.unless]


class Weights(_Strict):
    """Weights of the cue words of ``[categories.*] cues``, by where they stand."""

    title_cue: int = Field(ge=0)  # a cue word in the title
    lead_cue: int = Field(ge=0)  # a cue word in the lead
    stated: int = Field(ge=0)  # added when a word around the cue states it (存在…问题)
    title_work: int = Field(ge=0)  # a cue that is the object of work (排查隐患): news
    lead_work: int = Field(ge=0)
    # a practice named in quotes in the title (“路长制”) that the body keeps coming back
    # to: the text is about that practice (with a title summing it up: 经验做法)
    named_practice: int = Field(default=2, ge=0)


class NamedPractice(_Strict):
    """A practice the title names in quotes (“路长制”“五老调解团”, not a campaign such as
    “春风行动”). In a longer text the body keeps coming back to it; in a short one (from
    ``short_min_chars``) the body names it and tells its mechanism and results (the
    patterns of the features ``mechanism`` and ``results``), and is no one-off event
    report: a lead with a date and an event verb (every ``event_lead`` pattern)."""

    min_chars: int = Field(default=300, ge=0)  # the body repeats the name min_times
    min_times: int = Field(default=2, ge=1)
    short_min_chars: int = Field(default=0, ge=0)  # 0 = no short texts
    mechanism: list[str] = Field(default_factory=list)  # feature names
    results: list[str] = Field(default_factory=list)  # feature names
    event_lead: list[str] = Field(default_factory=list)
    # a quoted name followed by one of these (or ending with one) is an event, not a
    # practice: “春风”行动, “党建引领”推进会
    events: list[str] = Field(
        default_factory=lambda: [
            "活动",
            "行动",
            "比赛",
            "大赛",
            "竞赛",
            "宣传周",
            "宣传月",
            "主题日",
        ]
    )
    # {name} {times} {mechanism} {result} are filled in
    reason: str = "正文围绕“{name}”展开（{times} 处）"
    short_reason: str = "正文写明“{name}”的做法（“{mechanism}”）与成效（“{result}”）"

    @field_validator("event_lead", "events")
    @classmethod
    def _regex(cls, v: list[str]) -> list[str]:
        return _compiles(v)

    @cached_property
    def event_lead_rx(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.event_lead]

    @cached_property
    def event_after_rx(self) -> re.Pattern[str] | None:
        """An event word right after a quoted name: “春风”行动."""
        events = "|".join(self.events)
        return re.compile(rf"[^，。；]{{0,2}}({events})") if events else None

    @cached_property
    def event_name_rx(self) -> re.Pattern[str] | None:
        """A quoted name that is an event: “春风行动”."""
        events = "|".join(self.events)
        return re.compile(rf"({events})$") if events else None


class Classification(_Strict):
    """How an item without an explicit label is classified (SPEC §3)."""

    cue_order: list[CategoryKey]  # ties between categories
    lead_chars: int = Field(ge=0)  # how much of the body's start counts as the lead
    research_min_chars: int = Field(ge=0)  # long and in numbered sections: research
    research_min_sections: int = Field(ge=1)
    revision_days: int = Field(ge=0)  # same unit, same title within this many days
    min_score: int = Field(default=5, ge=1)  # evidence needed to leave the default
    context_chars: int = Field(default=16, ge=0)  # how far around a cue words count
    work_verbs: list[str] = Field(default_factory=list)  # 排查…隐患: a cue dealt with
    work_after: list[str] = Field(default_factory=list)  # 隐患排查, 问题整改
    work_objects: list[CategoryKey] = Field(default_factory=list)  # cues that can be
    stated_words: list[str] = Field(default_factory=list)  # 存在…问题: a cue stated
    not_cues: list[str] = Field(default_factory=list)  # 困难群众: no cue at all
    weights: Weights = Weights(title_cue=5, lead_cue=2, stated=1, title_work=5, lead_work=2)
    features: dict[str, Feature] = Field(default_factory=dict)
    named_practice: NamedPractice = NamedPractice()

    @model_validator(mode="after")
    def _named_features(self) -> Classification:
        named = self.named_practice
        unknown = [n for n in named.mechanism + named.results if n not in self.features]
        if unknown:
            raise ValueError(f"named_practice 引用了不存在的依据：{'、'.join(unknown)}")
        return self


class Instruction(_Strict):
    label: str
    points: int = Field(ge=0)
    composite: int = Field(ge=0)
    stars: int = Field(ge=0, le=4)


class Bonus(_Strict):
    label: str
    points: int = Field(ge=0)
    yearly: bool


class Deduction(_Strict):
    label: str
    points: int = Field(ge=0)


class Quarter(_Strict):
    floor: int


class Combine(_Strict):
    """How several events of one item combine: only the highest counts (annex 加分 8,
    就高不就低、不重复记分), or all of them add up."""

    adoption: Literal["highest", "sum"]
    instruction: Literal["highest", "sum"]


class Notice(_Strict):
    praise_first: bool
    criticise_last: bool
    zero_adoption_listed: bool
    idle_months_named: int = Field(ge=1)
    idle_months_interview: int = Field(ge=1)
    top_units: int = Field(ge=0)
    top_people_min: int = Field(ge=0)
    top_people_max: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Notice:
        if self.top_people_min > self.top_people_max:
            raise ValueError("top_people_min 不能大于 top_people_max")
        if self.idle_months_named > self.idle_months_interview:
            raise ValueError("idle_months_named 不能大于 idle_months_interview")
        return self


_V = TypeVar("_V")


def _exact_keys(value: dict[str, _V], keys: tuple[str, ...]) -> dict[str, _V]:
    missing = [k for k in keys if k not in value]
    extra = [k for k in value if k not in keys]
    if missing:
        raise ValueError(f"缺少 {'、'.join(missing)}")
    if extra:
        raise ValueError(f"{'、'.join(extra)} 不是可识别的项，可用的有 {'、'.join(keys)}")
    return value


class Rules(_Strict):
    groups: dict[str, Group]
    task: Task
    default_category: Literal["dynamic", "experience", "problem", "research", "special"]
    categories: dict[str, Category]
    classification: Classification
    adoption: dict[str, int]
    instructions: dict[str, Instruction]
    bonuses: dict[str, Bonus]
    deductions: dict[str, Deduction]
    combine: Combine
    quarter: Quarter
    notice: Notice

    @field_validator("groups")
    @classmethod
    def _groups(cls, v: dict[str, Group]) -> dict[str, Group]:
        return _exact_keys(v, GROUP_KEYS)

    @field_validator("categories")
    @classmethod
    def _categories(cls, v: dict[str, Category]) -> dict[str, Category]:
        return _exact_keys(v, CATEGORY_KEYS)

    @field_validator("adoption")
    @classmethod
    def _adoption(cls, v: dict[str, int]) -> dict[str, int]:
        if any(p < 0 for p in v.values()):
            raise ValueError("分值不能为负数")
        return _exact_keys(v, ADOPTION_KEYS)

    @field_validator("instructions")
    @classmethod
    def _instructions(cls, v: dict[str, Instruction]) -> dict[str, Instruction]:
        return _exact_keys(v, INSTRUCTION_KEYS)

    @field_validator("bonuses")
    @classmethod
    def _bonuses(cls, v: dict[str, Bonus]) -> dict[str, Bonus]:
        return _exact_keys(v, BONUS_KEYS)

    @field_validator("deductions")
    @classmethod
    def _deductions(cls, v: dict[str, Deduction]) -> dict[str, Deduction]:
        return _exact_keys(v, DEDUCTION_KEYS)

    @model_validator(mode="after")
    def _tags_unique(self) -> Rules:
        seen: dict[str, str] = {}
        for key, cat in self.categories.items():
            for tag in cat.tags:
                if tag in seen and seen[tag] != key:
                    raise ValueError(f"标注“{tag}”同时出现在 {seen[tag]} 和 {key} 中")
                seen[tag] = key
        return self

    def category_label(self, key: str) -> str:
        return self.categories[key].label


def load_rules(path: Path) -> Rules:
    return load_model(Rules, path)
