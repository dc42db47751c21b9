"""Validate the answer-check corpus and the check vocabularies (not a test).

    python tests/corpus/check_corpus.py [--flow PATH]

Loads tests/corpus/answers.yaml, flows/nl/checks.yaml and flows/en/checks.yaml with
PyYAML only, checks fields, labels, question ids (flows/strategy.yaml), contexts, the
flow's length and item rules, coverage (at least 4 strong and 4 weak answers per
text or list question and language) and that every non_answer
entry is a whole-answer match of the vocabulary (and no other entry is). Prints the
counts per question x label x language; exits 1 on any problem.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from coach.flow.answers import split_items  # noqa: E402  (the engine's own list reading)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus" / "answers.yaml"
FLOW = ROOT / "flows" / "strategy.yaml"
VOCAB = {lang: ROOT / "flows" / lang / "checks.yaml" for lang in ("nl", "en")}
LANGS = ("nl", "en")
MIN_PER_CELL = 4  # strong, and weak, answers per question and language

FIELDS = {"question", "lang", "text", "weak", "context", "note"}
REQUIRED = {"question", "lang", "text", "weak"}
CONTEXT_KEYS = {"goal", "tactic", "channels"}

TEXT_KINDS = ("text", "list")  # the kinds a user types free text into
# A choice among earlier list answers (options_from: goals.focus, sm_goals.link) also
# reads a typed goal by its words, so its typed entries stay; it needs no coverage.
GOALS_STEP1 = ("goals.offline", "goals.online")
# label -> the questions it may be used for (None: any text/list question)
LABELS: dict[str, tuple[str, ...] | None] = {
    "vague_goal": (*GOALS_STEP1, "sm_goals.list"),
    "channel_as_goal": (*GOALS_STEP1, "goals.focus", "sm_goals.list", "sm_goals.link"),
    "vanity_kpi": ("kpis.per_goal",),
    "several_kpis": ("kpis.per_goal",),
    "non_answer": None,
    "webcare_incomplete": ("tactics.webcare",),
    "listening_incomplete": ("tactics.listening",),
    "measurement_incomplete": ("measure.per_tactic",),
    "tactic_channel_not_chosen": ("tactics.list",),
    "mission_about_library": ("mission.statement",),
    "mission_too_long": ("mission.statement",),
    "why_about_library": ("mission.why",),
    "broadcast_only": ("tactics.conversation",),
    "borderline": None,
}
# context a question's entries must carry (non_answer and borderline excepted)
NEEDS_CONTEXT = {"kpis.per_goal": "goal", "measure.per_tactic": "tactic",
                 "tactics.list": "channels"}
PICK_ONE_QUESTIONS = ("goals.focus",)  # questions that ask for exactly one thing
DEFAULT_RULES = {"min_length": 2, "max_length": 1000, "min_items": 1, "max_items": 10}

VOCAB_LIST_KEYS = (
    "non_answers", "pick_one_non_answers", "non_answer_prefixes", "numbers_words",
    "period_words", "outcome_words", "vanity_words", "vague_goal_phrases", "owner_words",
    "non_owner_words", "response_time_words", "rhythm_words", "vague_rhythm_words",
    "place_words", "source_words", "why_duty_words", "broadcast_words",
    "conversation_words",
)
# lists in named groups: the mission check reads every group, the why check some
GROUPED_KEYS = {"mission_library_words": ("wants", "self"),
                "mission_audience_words": ("links", "who", "gains")}
VOCAB_KEYS = set(VOCAB_LIST_KEYS) | set(GROUPED_KEYS) | {"channel_words"}


def load_yaml(path: Path):
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def flow_questions(path: Path) -> tuple[dict[str, dict], list[str]]:
    """Question id -> {kind, rules}; and the channel option ids of tactics.channels."""
    flow = load_yaml(path)
    questions = {q["id"]: q for step in flow["steps"] for q in step["questions"]}
    channels = [o["id"] for o in questions["tactics.channels"]["options"]]
    return questions, channels


def typed(q: dict) -> bool:
    """Whether a user types free text into question ``q`` (see TEXT_KINDS)."""
    return q["kind"] in TEXT_KINDS or (q["kind"] == "choice" and bool(q.get("options_from")))


def whole(text: str) -> str:
    """The whole answer as the non-answer lists compare it (see checks.yaml)."""
    norm = re.sub(r"\s+", " ", text.lower()).strip()
    if norm and set(norm) <= {"?"}:
        return norm
    stripped = norm.rstrip(".!,;: ").rstrip("?").rstrip(" ")
    return stripped or norm


def is_non_answer(text: str, vocab: dict, question: str) -> bool:
    norm = whole(text)
    if norm in vocab["non_answers"]:
        return True
    if question in PICK_ONE_QUESTIONS and norm in vocab["pick_one_non_answers"]:
        return True
    for prefix in vocab["non_answer_prefixes"]:
        if norm.startswith(prefix + " "):
            rest = norm[len(prefix) + 1:].split()
            if 1 <= len(rest) <= 3:
                return True
    return False


def check_vocab(vocabs: dict[str, dict], channel_ids: list[str]) -> list[str]:
    problems = []
    for lang, vocab in vocabs.items():
        where = f"flows/{lang}/checks.yaml"
        if not isinstance(vocab, dict):
            return [f"{where}: not a mapping"]
        keys = set(vocab)
        if keys != VOCAB_KEYS:
            problems.append(f"{where}: missing {sorted(VOCAB_KEYS - keys)}, "
                            f"unknown {sorted(keys - VOCAB_KEYS)}")
        lists = {k: vocab.get(k) for k in VOCAB_LIST_KEYS}
        channels = vocab.get("channel_words")
        if not isinstance(channels, dict):
            problems.append(f"{where}: channel_words must map channel ids to lists")
            channels = {}
        elif set(channels) != set(channel_ids):
            problems.append(f"{where}: channel_words ids {sorted(channels)} != "
                            f"strategy.yaml {sorted(channel_ids)}")
        lists |= {f"channel_words.{c}": words for c, words in channels.items()}
        for key, groups in GROUPED_KEYS.items():
            value = vocab.get(key)
            if not isinstance(value, dict) or set(value) != set(groups):
                problems.append(f"{where}: {key} must have the groups {', '.join(groups)}")
                continue
            lists |= {f"{key}.{g}": words for g, words in value.items()}
        for key, words in lists.items():
            if words is None:
                continue
            if not isinstance(words, list) or not words:
                problems.append(f"{where}: {key} must be a non-empty list")
                continue
            for w in words:
                if not isinstance(w, str) or not w.strip():
                    problems.append(f"{where}: {key}: {w!r} is not a word")
                elif w != w.lower() or w != w.strip():
                    problems.append(f"{where}: {key}: {w!r} must be lower case, trimmed")
            dupes = [w for w, n in Counter(words).items() if n > 1]
            if dupes:
                problems.append(f"{where}: {key}: duplicates {dupes}")
    if all(isinstance(v, dict) for v in vocabs.values()):
        nl, en = (set(vocabs[lang]) for lang in LANGS)
        if nl != en:
            problems.append(f"nl and en keys differ: only nl {sorted(nl - en)}, "
                            f"only en {sorted(en - nl)}")
    return problems


def check_entry(i: int, e, questions: dict, channel_ids: list[str],
                vocabs: dict) -> list[str]:
    if not isinstance(e, dict):
        return [f"entry {i}: not a mapping"]
    where = f"entry {i} ({e.get('question')}, {e.get('lang')}, {str(e.get('text'))[:40]!r})"
    problems = []
    if unknown := set(e) - FIELDS:
        problems.append(f"{where}: unknown fields {sorted(unknown)}")
    if missing := REQUIRED - set(e):
        return problems + [f"{where}: missing fields {sorted(missing)}"]
    qid, lang, text, weak = e["question"], e["lang"], e["text"], e["weak"]
    context = e.get("context") or {}
    if qid not in questions:
        return problems + [f"{where}: unknown question id"]
    q = questions[qid]
    if not typed(q):
        problems.append(f"{where}: {qid} is a {q['kind']} question, not typed text")
    if lang not in LANGS:
        problems.append(f"{where}: lang must be one of {LANGS}")
    if not isinstance(text, str) or not text.strip():
        return problems + [f"{where}: text must be a non-empty string"]
    if weak is not None and weak not in LABELS:
        problems.append(f"{where}: unknown label {weak!r}")
    elif weak is not None and LABELS[weak] is not None and qid not in LABELS[weak]:
        problems.append(f"{where}: label {weak} does not apply to {qid}")
    if "note" in e and not isinstance(e["note"], str):
        problems.append(f"{where}: note must be a string")

    # context
    if not isinstance(context, dict):
        problems.append(f"{where}: context must be a mapping")
        context = {}
    if bad := set(context) - CONTEXT_KEYS:
        problems.append(f"{where}: unknown context keys {sorted(bad)}")
    need = NEEDS_CONTEXT.get(qid)
    for key in context:
        if key != need:
            problems.append(f"{where}: context.{key} does not belong to {qid}")
    if need and need not in context and weak not in ("non_answer", "borderline"):
        problems.append(f"{where}: {qid} needs context.{need}")
    if "channels" in context:
        chans = context["channels"]
        if not isinstance(chans, list) or not chans or any(c not in channel_ids
                                                           for c in chans):
            problems.append(f"{where}: context.channels must list ids from {channel_ids}")
    for key in ("goal", "tactic"):
        if key in context and (not isinstance(context[key], str) or not context[key]):
            problems.append(f"{where}: context.{key} must be a non-empty string")

    # the flow's own rules: an answer it rejects never reaches a check
    rules = DEFAULT_RULES | q.get("rules", {})
    pieces = split_items(text) if q["kind"] == "list" else [text.strip()]
    if q["kind"] == "list" and not rules["min_items"] <= len(pieces) <= rules["max_items"]:
        problems.append(f"{where}: {len(pieces)} items; {qid} allows "
                        f"{rules['min_items']}-{rules['max_items']}")
    for piece in pieces:
        if len(piece) > rules["max_length"]:
            problems.append(f"{where}: {len(piece)} characters; {qid} allows "
                            f"{rules['max_length']}")

    # non_answer is a whole-answer match of the vocabulary, and only then
    if lang in vocabs and isinstance(vocabs[lang], dict):
        matched = is_non_answer(text, vocabs[lang], qid)
        if weak == "non_answer" and not matched:
            problems.append(f"{where}: labelled non_answer but not in "
                            f"flows/{lang}/checks.yaml (non_answers or a prefix + name)")
        if weak not in ("non_answer", "borderline") and matched:
            problems.append(f"{where}: matches the non-answer vocabulary but is "
                            f"labelled {weak}")
    return problems


def min_length_notes(entries: list, questions: dict) -> list[str]:
    notes = []
    for e in entries:
        q = questions.get(e.get("question"))
        text = e.get("text")
        if q and isinstance(text, str):
            low = (DEFAULT_RULES | q.get("rules", {}))["min_length"]
            if len(text.strip()) < low:
                notes.append(f"{e['question']} {text!r}: shorter than min_length {low}, "
                             f"the flow rejects it before any check")
    return notes


def coverage(entries: list, questions: dict) -> list[str]:
    problems = []
    strong = Counter((e["question"], e["lang"]) for e in entries if e["weak"] is None)
    weak = Counter((e["question"], e["lang"]) for e in entries
                   if e["weak"] not in (None, "borderline"))
    for qid, q in questions.items():
        if q["kind"] not in TEXT_KINDS:
            continue
        for lang in LANGS:
            if strong[qid, lang] < MIN_PER_CELL:
                problems.append(f"coverage: {qid} {lang}: {strong[qid, lang]} strong "
                                f"(need {MIN_PER_CELL})")
            if weak[qid, lang] < MIN_PER_CELL:
                problems.append(f"coverage: {qid} {lang}: {weak[qid, lang]} weak "
                                f"(need {MIN_PER_CELL})")
    return problems


def table(entries: list, questions: dict) -> str:
    counts = Counter((e["question"], e["weak"] or "strong", e["lang"]) for e in entries)
    order = [qid for qid in questions if any(k[0] == qid for k in counts)]
    labels = ["strong", *LABELS]
    rows = [("question", "label", "nl", "en", "all")]
    for qid in order:
        for label in labels:
            nl, en = counts[qid, label, "nl"], counts[qid, label, "en"]
            if nl or en:
                rows.append((qid, label, str(nl), str(en), str(nl + en)))
    by_label = Counter((e["weak"] or "strong", e["lang"]) for e in entries)
    rows.append(("", "", "", "", ""))
    for label in labels:
        nl, en = by_label[label, "nl"], by_label[label, "en"]
        if nl or en:
            rows.append(("TOTAL", label, str(nl), str(en), str(nl + en)))
    n_nl = sum(e["lang"] == "nl" for e in entries)
    n_en = len(entries) - n_nl
    rows.append(("TOTAL", "all", str(n_nl), str(n_en), str(len(entries))))
    widths = [max(len(r[c]) for r in rows) for c in range(5)]
    lines = []
    for r in rows:
        lines.append("  ".join(r[c].ljust(widths[c]) if c < 2 else r[c].rjust(widths[c])
                               for c in range(5)).rstrip())
    share = f"nl {100 * n_nl / len(entries):.0f}% / en {100 * n_en / len(entries):.0f}%"
    return "\n".join(lines) + f"\n\n{share}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flow", type=Path, default=FLOW, help="strategy.yaml to check against")
    args = parser.parse_args(argv)

    try:
        questions, channel_ids = flow_questions(args.flow)
        vocabs = {lang: load_yaml(path) for lang, path in VOCAB.items()}
        entries = load_yaml(CORPUS)
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        print(f"cannot load: {exc}", file=sys.stderr)
        return 1
    if not isinstance(entries, list) or not entries:
        print(f"{CORPUS}: must be a non-empty list", file=sys.stderr)
        return 1

    problems = check_vocab(vocabs, channel_ids)
    for i, e in enumerate(entries, 1):
        problems += check_entry(i, e, questions, channel_ids, vocabs)
    seen = Counter((e.get("question"), e.get("lang"), whole(str(e.get("text"))))
                   for e in entries if isinstance(e, dict))
    problems += [f"duplicate: {k}" for k, n in seen.items() if n > 1]
    if problems:  # the rest assumes well-formed entries
        print("\n".join(problems), file=sys.stderr)
        print(f"\n{len(problems)} problem(s)", file=sys.stderr)
        return 1
    problems = coverage(entries, questions)

    print(table(entries, questions))
    non_answers = [e for e in entries if e["weak"] == "non_answer"]
    print(f"non_answer: {len(non_answers)} over "
          f"{len({e['question'] for e in non_answers})} questions")
    for note in min_length_notes(entries, questions):
        print(f"note: {note}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"\n{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
