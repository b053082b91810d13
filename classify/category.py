"""Category (分类) of an item (SPEC §3), each decision with a Chinese reason.

Order: an explicit label in subject, file name or title (【调研】, 调研信息：, -专报-, or a
part of a file name or subject ending in a tag: "口镇经验做法-…"); "专报" anywhere there;
else the content decides by evidence. Every piece of evidence is a feature of the rules
file (``[classification.features.*]``: where to look, what to find, its category, its
weight and the Chinese words saying so) or a cue word of ``[categories.*] cues`` weighed
by where it stands and by the words around it: a cue that is the object of work
("开展…隐患大排查", "做好…救助", "发现问题23处") is news of work done, one that a word
states ("存在…问题", "面临…困难") counts more. The weights add up per category; a
category other than the default needs ``min_score`` and more than the default's score.
The reason names the evidence that decided. Code here is generic: cue words, patterns
and weights are data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from zwxx.config.rules import Rules

# Bracketed labels: 【动态】 [调研] 「专报」 〖经验〗 ［问题建议］ (…) at the start.
_BRACKETED = re.compile(r"[【\[「〖［『]\s*([^】\]」〗］』]{1,12}?)\s*[】\]」〗］』]")
_PAREN_LEAD = re.compile(r"^\s*[（(]\s*([^）)]{1,8}?)\s*[）)]")
# "调研信息：…" at the start, or "-调研-" anywhere.
_PREFIX = re.compile(r"^\s*([^\s：:]{2,8})\s*[：:]")
_DASHED = re.compile(r"[-—]\s*([^-—\s]{2,8})\s*[-—]")
# "动态 | 寨里镇 | ……", "经验丨……": a tag before a bar at the start.
_BARRED = re.compile(r"^\s*([^|｜丨\s]{2,8})\s*[|｜丨]")
# Parts of a file name or subject: "口镇经验做法-三链融合.docx" -> 口镇经验做法, 三链融合.
# A tag ending a part of a file name or subject is a label from this many characters on.
SEGMENT_TAG_MIN = 3
_SEGMENT_SPLIT = re.compile(r"[-_—－\s：:]+")
EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")  # a file name's own extension
# Clauses of a cover note or a subject (what it says of one document).
CLAUSE_END = re.compile(r"[。；;！!？?\n]")


@dataclass(frozen=True)
class CategoryDecision:
    category: str
    reason: str
    explicit: bool
    # A label the content contradicts: the label is kept (still counted), and this note
    # asks the clerk to check it ("标注为动态信息，但内容（1800字、分5部分）更像调研信息，请核对").
    conflict: str = ""


def tag_table(rules: Rules) -> dict[str, str]:
    return {tag: key for key, cat in rules.categories.items() for tag in cat.tags}


def find_label(text: str, rules: Rules, *, segments: bool = False) -> str | None:
    """The category named by an explicit label in ``text``, if any. With ``segments``
    (file names, subjects), a part of a name made of several parts that ends with a tag
    is a label too: "口镇经验做法-三链融合.docx", "区民政局调研信息_养老服务"."""
    table = tag_table(rules)
    candidates = [m.group(1) for m in _BRACKETED.finditer(text)]
    candidates += [m.group(1) for m in _PAREN_LEAD.finditer(text)]
    candidates += [m.group(1) for m in _PREFIX.finditer(text)]
    candidates += [m.group(1) for m in _DASHED.finditer(text)]
    candidates += [m.group(1) for m in _BARRED.finditer(text)]
    for raw in candidates:
        key = table.get(raw.strip())
        if key is not None:
            return key
    parts = [p for p in _SEGMENT_SPLIT.split(EXTENSION.sub("", text)) if p]
    if segments and len(parts) > 1:
        # Only a category's name ends a part as a label (经验做法, 问题建议, 工作动态,
        # 市专报): a two-character tag there is a word of the title ("协调解决企业用地问题").
        for part in parts:
            for tag in sorted(table, key=len, reverse=True):
                if len(tag) >= SEGMENT_TAG_MIN and part.endswith(tag):
                    return table[tag]
    return None


_PLACES = (("subject", "邮件主题"), ("filename", "文件名"), ("title", "标题"))
_SECTION = re.compile(r"^\s*[一二三四五六七八九十]{1,3}[、.．]")
_SUBSECTION = re.compile(r"^\s*[（(][一二三四五六七八九十]{1,3}[）)]")
# Points of an enumeration: 一是…二是…, 首先…其次…, 第一，…
_ITEM = re.compile(r"[一二三四五六七八九十]是|首先|其次|再次|第[一二三四五六七八九十][，,、]")
_NUMBERING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[）)]|\d+[、.．])\s*"
)
_HEADING_END = re.compile(r"[。：:；;！？]")
_CLAUSE = re.compile(r"[，。；;,.!?！？：:\n]")
_QUANTITY = re.compile(r"^\s*(?:[0-9０-９]|[一二三四五六七八九十百千]+[余多]?[处个项件起条宗类批])")
_TRIM = " \n\t。，；：:,;、"
# How much of an opener, an item or a heading a pattern sees.
OPENER_CHARS = 14
ITEM_CHARS = 24


def _sections(paragraphs: list[str] | tuple[str, ...]) -> int:
    return sum(1 for p in paragraphs if _SECTION.match(p))


@dataclass(frozen=True)
class Evidence:
    """One fired feature: its category, weight, where it was found, and the Chinese
    words saying what was found ("正文分条列举做法（一是、二是……）")."""

    name: str
    category: str
    weight: int
    place: str  # title, topic, lead, body
    text: str


@dataclass(frozen=True)
class _Content:
    title: str
    topic: str
    lead: str
    body: str
    openers: tuple[str, ...]
    headings: tuple[str, ...]
    items: tuple[str, ...]
    chars: int
    sections: int


def _content(
    rules: Rules, title: str, topic: str, paragraphs: list[str] | tuple[str, ...], chars: int
) -> _Content:
    paras = [p.strip() for p in paragraphs if p.strip()]
    body = "\n".join(paras)
    headings = []
    for p in paras:
        if _SECTION.match(p) or _SUBSECTION.match(p):
            rest = _NUMBERING.sub("", p)
            headings.append(_HEADING_END.split(rest, maxsplit=1)[0])
    cuts = [m.end() for m in _ITEM.finditer(body)]
    items = tuple(body[c : c + ITEM_CHARS].split("\n")[0] for c in cuts)
    return _Content(
        title=title,
        topic=topic,
        lead="".join(paras)[: rules.classification.lead_chars],
        body=body,
        openers=tuple(_NUMBERING.sub("", p)[:OPENER_CHARS] for p in paras),
        headings=tuple(headings),
        items=items,
        chars=chars,
        sections=_sections(paras),
    )


_PLACE_NAMES = {"title": "标题", "topic": "邮件主题", "lead": "导语", "body": "正文"}


def _feature_evidence(rules: Rules, c: _Content) -> list[Evidence]:
    found: list[Evidence] = []
    for name, f in rules.classification.features.items():
        if c.chars < f.min_chars or (f.max_chars and c.chars > f.max_chars):
            continue
        if c.sections < f.min_sections:
            continue
        places: list[tuple[str, tuple[str, ...]]]
        if f.where == "title":
            places = [("title", (c.title,)), ("topic", (c.topic,))]
        elif f.where in ("lead", "body"):
            places = [(f.where, (getattr(c, f.where),))]
        else:
            places = [("body", getattr(c, f.where))]
        for place, texts in places:
            hit = _hits(f.where, f.patterns_rx, f.unless_rx, texts)
            if hit[0] < f.min_hits or not any(texts):
                continue
            text = f.reason.format(
                place=_PLACE_NAMES[place], match=hit[1], chars=c.chars, sections=c.sections
            )
            found.append(Evidence(name, f.category, f.weight, place, text))
            break
    return found


REASON_MATCH_CHARS = 16  # how much of a matched text a reason quotes


def _hits(
    where: str,
    patterns: list[re.Pattern[str]],
    unless: list[re.Pattern[str]],
    texts: tuple[str, ...],
) -> tuple[int, str]:
    """(hits, first matched text): patterns matched in one text (title, lead, body), or
    parts matched (openers, headings, items); a part where an ``unless`` pattern matches
    does not count."""
    if not patterns:
        return (len(texts), "")
    first = ""
    whole = where in ("title", "lead", "body")
    count = 0
    for text in texts:
        if not text or any(u.search(text) for u in unless):
            continue
        taken: list[tuple[int, int]] = []  # words one pattern counted: not again
        for pattern in patterns:
            m = next((m for m in pattern.finditer(text) if not _overlaps(m, taken)), None)
            if m is None:
                continue
            taken.append(m.span())
            first = first or m.group(0).strip(_TRIM).lstrip("”")[:REASON_MATCH_CHARS]
            count += 1
            if not whole:
                break
    return count, first


def _overlaps(m: re.Match[str], spans: list[tuple[int, int]]) -> bool:
    return any(m.start() < end and start < m.end() for start, end in spans)


def _clause_before(text: str, start: int, width: int) -> str:
    before = text[max(0, start - width) : start]
    return _CLAUSE.split(before)[-1]


def _clause_after(text: str, end: int, width: int) -> str:
    return _CLAUSE.split(text[end : end + width], maxsplit=1)[0]


def _first(words: list[str], text: str) -> tuple[str, int]:
    """The word of ``words`` found earliest in ``text``, and where; ("", -1) if none."""
    found = [(text.find(w), w) for w in words if w in text]
    if not found:
        return "", -1
    at, word = min(found)
    return word, at


def _cue_evidence(rules: Rules, text: str, place: str) -> list[Evidence]:
    """Evidence from the cue words of ``[categories.*] cues`` in ``text``: per category,
    the strongest occurrence; a cue that is the object of work is news instead."""
    conf = rules.classification
    w = conf.weights
    title = place in ("title", "topic")
    base = w.title_cue if title else w.lead_cue
    work_weight = w.title_work if title else w.lead_work
    where = _PLACE_NAMES[place]
    best: dict[str, Evidence] = {}
    masked = text
    for compound in conf.not_cues:
        masked = masked.replace(compound, "□" * len(compound))

    def shaped(key: str) -> bool:
        shapes = rules.categories[key].title_shapes_rx
        return not title or not shapes or any(p.search(masked) for p in shapes)

    def keep(ev: Evidence) -> None:
        if ev.weight > 0 and (ev.category not in best or ev.weight > best[ev.category].weight):
            best[ev.category] = ev

    for key in conf.cue_order:
        for cue in rules.categories[key].cues:
            for m in re.finditer(re.escape(cue), masked):
                before = _clause_before(masked, m.start(), conf.context_chars)
                after = _clause_after(masked, m.end(), conf.context_chars)
                stated, at = _first(conf.stated_words, before)
                if not stated:
                    stated = next((s for s in conf.stated_words if s in after), "")
                    at = len(before)
                verb, verb_at = _first(conf.work_verbs, before)
                done = _QUANTITY.match(after) or any(after.startswith(a) for a in conf.work_after)
                # "发现…存在…问题": the work verb comes first, the problem is what it dealt with.
                worked = (verb and (not stated or verb_at < at)) or (done and not stated)
                if key in conf.work_objects and worked:
                    shown = f"{verb}…{cue}" if verb else f"{cue}{after[:2]}"
                    why = f"{where}含“{cue}”，但所写为“{shown}”的工作"
                    keep(Evidence("cue_work", rules.default_category, work_weight, place, why))
                elif not shaped(key):
                    # "地籍调查资料陈旧": the cue names a thing, the title is no report.
                    why = f"{where}含“{cue}”（非报告式标题）"
                    keep(Evidence("cue", key, w.lead_cue, place, why))
                elif stated:
                    why = f"{where}含“{cue}”（“{stated}”）"
                    keep(Evidence("cue_stated", key, base + w.stated, place, why))
                else:
                    keep(Evidence("cue", key, base, place, f"{where}含“{cue}”"))
    return list(best.values())


@dataclass(frozen=True)
class Scored:
    """The decision from content alone, with the evidence and scores behind it."""

    decision: CategoryDecision
    strength: str  # title, structure, body or default
    evidence: tuple[Evidence, ...]
    scores: dict[str, int]


def score(
    rules: Rules,
    *,
    title: str = "",
    paragraphs: list[str] | tuple[str, ...] = (),
    chars: int = 0,
    topic: str = "",
) -> Scored:
    """Weigh the evidence of the content and decide (no labels looked at)."""
    conf = rules.classification
    c = _content(rules, title, topic, paragraphs, chars)
    evidence = _cue_evidence(rules, title, "title") if title else []
    features = _feature_evidence(rules, c)
    if topic and not evidence and not any(e.place == "title" for e in features):
        evidence = _cue_evidence(rules, topic, "topic")
    else:
        features = [e for e in features if e.place != "topic"]
    evidence += _cue_evidence(rules, c.lead, "lead") if c.lead else []
    evidence += features
    evidence += _named_practice(rules, c)
    evidence = _supported(rules, evidence)
    scores = {key: 0 for key in rules.categories}
    for e in evidence:
        scores[e.category] += e.weight
    default = rules.default_category
    order: dict[str, int] = {key: i for i, key in enumerate(conf.cue_order)}
    others = [k for k in scores if k != default and scores[k] >= conf.min_score]
    others = [k for k in others if scores[k] > scores[default]]
    ordered = tuple(sorted(evidence, key=lambda e: -e.weight))
    if not others:
        return Scored(_default(rules, ordered, scores), "default", ordered, scores)
    key = min(others, key=lambda k: (-scores[k], order.get(k, len(order))))
    mine = [e for e in ordered if e.category == key]
    reason = "，".join(_unique(e.text for e in mine[:3]))
    decision = CategoryDecision(key, f"{reason}，按{rules.category_label(key)}计", False)
    from_title = sum(e.weight for e in mine if e.place in ("title", "topic"))
    long_sectioned = (
        key == "research"
        and chars >= conf.research_min_chars
        and c.sections >= conf.research_min_sections
    )
    if from_title >= conf.min_score:
        strength = "title"
    elif long_sectioned:
        strength = "structure"
    else:
        strength = "body"
    return Scored(decision, strength, ordered, scores)


_QUOTED = re.compile(r"“([^“”]{2,10})”")


def _named_practice(rules: Rules, c: _Content) -> list[Evidence]:
    """A practice the title names in quotes (“路长制”“五老调解团”, not a campaign such as
    “春风行动”) that the body keeps coming back to: the text explains that practice. A
    short text (``short_min_chars`` on) may name it once when it tells the mechanism
    and the results, and its lead is no one-off event (a date and 召开/举办/开展)."""
    conf = rules.classification
    named = conf.named_practice
    weight = conf.weights.named_practice
    if not weight or c.chars < min(named.min_chars, named.short_min_chars or named.min_chars):
        return []
    after, named_event = named.event_after_rx, named.event_name_rx
    for m in _QUOTED.finditer(c.title):
        name = m.group(1)
        if (after and after.match(c.title[m.end() :])) or (
            named_event and named_event.search(name)
        ):
            continue
        times = c.body.count(name)
        if c.chars >= named.min_chars and times >= named.min_times:
            text = named.reason.format(name=name, times=times, mechanism="", result="")
            return [Evidence("named_practice", "experience", weight, "body", text)]
        short = _short_practice(rules, c, name, times)
        if short is not None:
            return [short]
    return []


def _short_practice(rules: Rules, c: _Content, name: str, times: int) -> Evidence | None:
    """The evidence of a short text about the practice ``name``: named in the body, its
    mechanism and results told, and no event report's lead; else None."""
    conf = rules.classification
    named = conf.named_practice
    if not named.short_min_chars or c.chars < named.short_min_chars or times < 1:
        return None
    if named.event_lead and all(p.search(c.lead) for p in named.event_lead_rx):
        return None
    mechanism = _first_match(rules, named.mechanism, c.body)
    result = _first_match(rules, named.results, c.body)
    if not (mechanism and result):
        return None
    text = named.short_reason.format(name=name, times=times, mechanism=mechanism, result=result)
    return Evidence("named_practice", "experience", conf.weights.named_practice, "body", text)


def _first_match(rules: Rules, features: list[str], text: str) -> str:
    """The first text a pattern of ``features`` matches in ``text``, shortened; ""."""
    for name in features:
        f = rules.classification.features[name]
        if any(u.search(text) for u in f.unless_rx):
            continue
        for pattern in f.patterns_rx:
            m = pattern.search(text)
            if m is not None:
                found = m.group(0).strip(_TRIM)
                return (
                    found if len(found) <= REASON_MATCH_CHARS else found[:REASON_MATCH_CHARS] + "…"
                )
    return ""


def _supported(rules: Rules, evidence: list[Evidence]) -> list[Evidence]:
    """Evidence without the features that only support others (``requires``) when none
    of the evidence they need fired: a long text in sections is research only when
    something else says it is (a report title, survey methods, a research cue)."""
    features = rules.classification.features
    fired = {(e.category, "cue" if e.name.startswith("cue") else e.name) for e in evidence}
    out = []
    for e in evidence:
        f = features.get(e.name)
        if f is not None and f.requires and not any((e.category, r) in fired for r in f.requires):
            continue
        out.append(e)
    return out


def _unique(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for t in texts:
        if t not in out:
            out.append(t)
    return out


def _default(
    rules: Rules, evidence: tuple[Evidence, ...], scores: dict[str, int]
) -> CategoryDecision:
    default = rules.default_category
    label = rules.category_label(default)
    mine = [e for e in evidence if e.category == default]
    # Evidence for another category worth naming: a title cue would be, a figure is not.
    others = [e for e in evidence if e.category != default and scores[e.category] >= 3]
    if mine:
        reason = "，".join(_unique(e.text for e in mine[:2]))
        if not others and all(e.name != "cue_work" for e in mine):
            reason = f"未见分类标注或提示词，{reason}"
        return CategoryDecision(default, f"{reason}，按{label}计", False)
    if others:
        top = others[0]
        why = f"仅{top.text}，依据不足（{scores[top.category]} 分）"
        return CategoryDecision(default, f"{why}，按{label}计", False)
    return CategoryDecision(default, f"未见分类标注或提示词，按{label}计", False)


# A labelled text this many times over its category's limit contradicts the label.
CONFLICT_LENGTH_FACTOR = 2.5


def decide(
    rules: Rules,
    *,
    subject: str = "",
    filename: str = "",
    title: str = "",
    paragraphs: list[str] | tuple[str, ...] = (),
    chars: int = 0,
    topic: str = "",
    note: str = "",
) -> CategoryDecision:
    """Category from labels, else from the evidence of the content; else the rules'
    default. An explicit label wins, flagged when the content says otherwise. ``topic``
    is a mail subject naming the text's topic that is not its title (a body-only mail
    whose own heading is the title): it is looked at when the title gives nothing.
    ``note`` is the mail's cover note where it speaks of this document ("这是我镇本月
    第二篇专报"): "专报" there marks the document as 专报 when nothing else labels it."""
    texts = {"subject": subject, "filename": filename, "title": title}
    labelled: CategoryDecision | None = None
    for place, label in _PLACES:
        key = find_label(texts[place], rules, segments=place != "title")
        if key is not None:
            name = rules.category_label(key)
            labelled = CategoryDecision(key, f"{label}标注为“{name}”", True)
            break
    if labelled is None:
        for place, label in _PLACES:
            if "专报" in texts[place]:
                return CategoryDecision("special", f"{label}含“专报”", True)
        if "专报" in note:
            return CategoryDecision("special", f"邮件附言称“{_around(note, '专报')}”", True)
        return score(rules, title=title, paragraphs=paragraphs, chars=chars, topic=topic).decision
    note = _conflict(rules, labelled.category, title, paragraphs, chars)
    if not note:
        return labelled
    return CategoryDecision(labelled.category, f"{labelled.reason}；{note}", True, note)


def _around(text: str, word: str) -> str:
    """The clause of ``text`` holding ``word``, at most 30 characters of it."""
    for clause in CLAUSE_END.split(text):
        if word in clause:
            clause = clause.strip(_TRIM)
            at = clause.find(word)
            return clause[max(0, at + len(word) - 30) : at + len(word)]
    return word


def _conflict(
    rules: Rules, key: str, title: str, paragraphs: list[str] | tuple[str, ...], chars: int
) -> str:
    """Why the content contradicts the label ``key``, or "". The content speaks when
    the title's evidence alone or a long sectioned text give another category, or when
    the text is far over the label's limit (title evidence does not contradict a short
    text labelled with the default category). 专报 is a channel, not a kind of text: any
    content may be one, so a 专报 label is never contradicted."""
    if key == "special":
        return ""
    found = score(rules, title=title, paragraphs=paragraphs, chars=chars)
    limit = rules.categories[key].limit
    too_long = bool(limit) and chars > CONFLICT_LENGTH_FACTOR * limit
    other = found.decision.category != key and found.strength in ("title", "structure")
    if (
        key == rules.default_category
        and found.strength == "title"
        and not (limit and chars > limit)
    ):
        # A short text labelled as news is news whatever its title mentions (入户走访困难群众).
        other = False
    if not (other or too_long):
        return ""
    sections = _sections(paragraphs)
    shape = f"{chars}字" + (f"、分{sections}部分" if sections else "")
    name = rules.category_label(key)
    if other:
        found_name = rules.category_label(found.decision.category)
        return f"标注为{name}，但内容（{shape}）更像{found_name}，请核对"
    return f"标注为{name}，但内容（{shape}）远超原则上 {limit} 字，请核对分类"
