"""The demo's "teacher": program-generated IFT/reasoning pairs for every category of the suite.

The demo has no teacher model to distil from on a CPU, so this module plays it: for each of the
five answer formats the suite scores (a boxed option letter, a boxed Winogrande option, an extracted
span, an instruction followed, a math result) it draws a question from small templates with a seeded RNG, renders the
prompt with the task's own `doc_to_text` (`harness_tasks.process.task_prompt`, so the prompt is the
paper's Table 4 instruction and the suite's layout, never a copy), and writes the two answers a
teacher would give:

- IFT (thinking off): the final answer only, boxed (instruction following: the response itself).
- reasoning (thinking on): `<think>` a short worked derivation `</think>`, then the same answer.

The questions are computed (arithmetic, lookups in the fact tables below, spans cut from the
generated passage), so every answer is right by construction. They are not the evaluated
documents: `tests/test_study_teacher_pairs.py` checks that no generated prompt is an offline
evaluation prompt. `heldout_prompts` draws from the same templates with another seed, for checks
that a student learnt the *format* on prompts it never saw (benchmarks/sweep_demo_recipe.py, the
real-model recipe test).

Run `python -m reasoning_suite.study.teacher_pairs` to rewrite `data/teacher_pairs.jsonl`.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Callable

from reasoning_suite.harness_tasks.process import task_prompt
from reasoning_suite.harness_tasks.prompts import LETTERS, boxed

TEACHER_SEED = 17
HELDOUT_SEED = 1017
PER_CATEGORY = 16  # 5 formats x 16 = 80 prompts (the issue asks for >= 64)
PAIRS_FILE = Path(__file__).resolve().parent / "data" / "teacher_pairs.jsonl"

# Fact tables (general knowledge, checked by hand): question template, answer, distractor pool.
_CAPITALS = {"France": "Paris", "Japan": "Tokyo", "Kenya": "Nairobi", "Canada": "Ottawa", "Peru": "Lima",
             "Egypt": "Cairo", "Norway": "Oslo", "Chile": "Santiago", "Spain": "Madrid", "Poland": "Warsaw",
             "Ghana": "Accra", "Cuba": "Havana", "Greece": "Athens", "Italy": "Rome", "Portugal": "Lisbon"}
_SYMBOLS = {"gold": "Au", "iron": "Fe", "sodium": "Na", "silver": "Ag", "copper": "Cu", "oxygen": "O",
            "helium": "He", "lead": "Pb", "potassium": "K", "carbon": "C"}
_ANIMALS = {"a spider": "8", "an insect": "6", "a dog": "4", "a bird": "2", "a starfish": "5", "an octopus": "8"}
_NAMES = ["Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jun", "Kofi", "Lena", "Milo", "Nia"]
_ITEMS = ["apples", "pencils", "stickers", "marbles", "cookies", "stamps", "cards", "shells"]
_CITIES = ["Alder", "Brookton", "Cedarfield", "Dunmore", "Elmstead", "Fairhaven", "Glenwick", "Hollowell"]
# Winogrande-style frames: {a} and {b} are names; whether the first-named fits the blank; why.
_BLANKS = [
    ("{a} was much taller than {b}, so _ had to duck under the low door.", True, "is taller"),
    ("{a} was much taller than {b}, so _ needed a stool to reach the shelf.", False, "is shorter"),
    ("{a} lent money to {b} because _ had plenty to spare.", True, "has money to spare"),
    ("{a} lent money to {b} because _ was short of cash.", False, "is short of cash"),
    ("{a} beat {b} at chess because _ had practised every day.", True, "won by practising"),
    ("{a} beat {b} at chess because _ had never played before.", False, "lost, never having played"),
    ("{a} called {b} to say sorry, so _ must have felt bad about the argument.", True, "made the call"),
    ("{a} thanked {b} for the help, because _ had fixed the bike.", False, "gave the help"),
]
_TRADES = ["a baker", "a carpenter", "a teacher", "a nurse", "a painter", "a sailor", "a farmer", "a weaver"]


def _pair(task: str, doc: dict[str, Any], category: str, thinking: str, answer: str, ift: str | None = None) -> dict:
    prompt = task_prompt(task, doc)
    return {"prompt": prompt, "domain": "math" if category.startswith("math") else "general", "category": category,
            "task_schema": task, "reasoning": f"<think>\n{thinking.strip()}\n</think>\n\n{answer.strip()}",
            "ift": (ift if ift is not None else answer).strip()}


def _mc_options(rng: random.Random, right: str, pool: list[str], n: int = 4) -> tuple[list[str], int]:
    options = rng.sample([p for p in dict.fromkeys(pool) if p != right], n - 1) + [right]
    rng.shuffle(options)
    return options, options.index(right)


def _winogrande(rng: random.Random) -> dict:
    """Winogrande-schema sentence with a blank and two options; the answer is the boxed option text
    (what the task's worked examples show, `prompts.target_winogrande`)."""
    a, b = rng.sample(_NAMES, 2)
    frame, first_fits, why = rng.choice(_BLANKS)
    flip = rng.random() < 0.5
    right = (a if first_fits else b) if not flip else (b if first_fits else a)
    sentence = frame.format(a=a, b=b) if not flip else frame.format(a=b, b=a)
    doc = {"sentence": sentence, "option1": a, "option2": b, "answer": "1" if right == a else "2"}
    n = doc["answer"]
    thinking = f"The blank is the one who {why}. That is {right}, option {n}."
    return _pair("rs_winogrande", doc, "general-mc", thinking, f"{right} fits the blank, option {n}.\n\n{boxed(right)}",
                 boxed(right))


def _multiple_choice(rng: random.Random) -> dict:
    """MMLU-schema (general) or AQuA-schema (math) multiple choice; the answer is a boxed letter."""
    kind = rng.choice(["capital", "symbol", "legs", "aqua"])
    if kind == "aqua":
        a, b, c = rng.randint(3, 12), rng.randint(2, 9), rng.randint(5, 40)
        right = a * b + c
        options, gold = _mc_options(rng, str(right), [str(right + d) for d in (-7, -3, -1, 1, 2, 5, 9)], 5)
        doc = {"question": f"What is {a} x {b} + {c}?", "options": [f"{LETTERS[i]}){o}" for i, o in enumerate(options)],
               "rationale": "", "correct": LETTERS[gold]}
        letter = LETTERS[gold]
        thinking = f"{a} x {b} = {a * b}, and {a * b} + {c} = {right}. Option {letter} is {right}."
        return _pair("rs_aqua_rat", doc, "math-mc", thinking, f"{a} x {b} + {c} = {right}, option {letter}.\n\n{boxed(letter)}",
                     boxed(letter))
    if kind == "capital":
        country = rng.choice(sorted(_CAPITALS))
        right, question = _CAPITALS[country], f"What is the capital city of {country}?"
        pool, why = list(_CAPITALS.values()), f"The capital of {country} is {right}."
    elif kind == "symbol":
        element = rng.choice(sorted(_SYMBOLS))
        right, question = _SYMBOLS[element], f"Which is the chemical symbol of {element}?"
        pool, why = list(_SYMBOLS.values()), f"The symbol of {element} is {right}."
    else:
        animal = rng.choice(sorted(_ANIMALS))
        right, question = _ANIMALS[animal], f"How many legs does {animal} have?"
        pool, why = [str(n) for n in range(1, 11)], f"{animal[0].upper() + animal[1:]} has {right} legs."
    options, gold = _mc_options(rng, right, pool)
    doc = {"question": question, "subject": "miscellaneous", "choices": options, "answer": gold}
    letter = LETTERS[gold]
    thinking = f"{why} Among the options, {right} is option {letter}."
    return _pair("rs_mmlu_misc", doc, "general-mc", thinking, f"{right} is option {letter}.\n\n{boxed(letter)}", boxed(letter))


def _span(rng: random.Random) -> dict:
    """SQuAD-schema extractive question: the answer is a span of the generated passage."""
    name, city, trade = rng.choice(_NAMES), rng.choice(_CITIES), rng.choice(_TRADES)
    year, count = rng.randint(1850, 1990), rng.randint(2, 9)
    context = (f"{name} was born in {city} in {year}. Before becoming {trade}, {name} spent {count} years "
               f"travelling along the coast, and later returned to {city} to open a small workshop.")
    field = rng.choice(["city", "year", "trade", "count"])
    question, answer = {
        "city": (f"Where was {name} born?", city),
        "year": (f"In what year was {name} born?", str(year)),
        "trade": (f"What did {name} become?", trade),
        "count": (f"How many years did {name} spend travelling?", str(count)),
    }[field]
    doc = {"id": f"teacher-{rng.randrange(10**8)}", "title": name, "context": context, "question": question,
           "answers": {"text": [answer], "answer_start": [context.find(answer)]}}
    thinking = f"The question asks {question[0].lower() + question[1:]} The passage says so directly: \"{answer}\"."
    return _pair("rs_squad", doc, "general-oe", thinking, f"The passage gives it as {answer}.\n\n{boxed(answer)}", boxed(answer))


def _instruction(rng: random.Random) -> dict:
    """IFEval-schema instruction with one verifiable constraint; the response follows it."""
    item, name = rng.choice(_ITEMS), rng.choice(_NAMES)
    kind = rng.choice(["lowercase", "no_comma", "bullets", "end_phrase"])
    topic = f"why {name} collects {item}"
    if kind == "lowercase":
        prompt = (f"Write two sentences about {topic}. Your entire response should be in English, and in all "
                  "lowercase letters. No capital letters are allowed.")
        reply = f"{name.lower()} collects {item} because each one is a little different. sorting them is a calm hobby."
        ids, kw, rule = ["change_case:english_lowercase"], [{}], "every letter must be lowercase, the name too"
    elif kind == "no_comma":
        prompt = f"Write two sentences about {topic}. Do not use any commas in your response."
        reply = f"{name} collects {item} because each one is a little different. Sorting them is a calm hobby."
        ids, kw, rule = ["punctuation:no_comma"], [{}], "no commas anywhere, so short plain sentences"
    elif kind == "bullets":
        prompt = (f"Give three reasons {topic}. Your answer must contain exactly 3 bullet points. Use the markdown "
                  "bullet points such as:\n* This is point 1.")
        reply = f"* Each of the {item} is a little different.\n* Sorting them is calm.\n* {name} can trade them with friends."
        ids, kw, rule = ["detectable_format:number_bullet_lists"], [{"num_bullets": 3}], "exactly three lines that start with *"
    else:
        prompt = (f"Write one sentence about {topic}. Finish your response with this exact phrase: That is all. "
                  "No other words should follow this phrase.")
        reply = f"{name} collects {item} because each one is a little different. That is all."
        ids, kw, rule = ["startend:end_checker"], [{"end_phrase": "That is all."}], "end exactly with 'That is all.'"
    doc = {"key": rng.randrange(10**6), "prompt": prompt, "instruction_id_list": ids, "kwargs": kw}
    # One pass, no "check again": a 135M student copies a re-checking loop into endless repeats.
    thinking = f"The constraint: {rule}. The topic: {topic}. So a short reply that keeps the constraint."
    return _pair("rs_ifeval", doc, "general-if", thinking, reply, reply)


def _math(rng: random.Random) -> dict:
    """GSM8K-schema word problem; the answer is the boxed number."""
    name, item = rng.choice(_NAMES), rng.choice(_ITEMS)
    a, b, c = rng.randint(3, 9), rng.randint(4, 15), rng.randint(2, 20)
    kind = rng.choice(["groups_minus", "buy", "share"])
    if kind == "groups_minus":
        total = a * b - c if a * b > c else a * b + c
        verb, sign = ("gives away", "-") if a * b > c else ("finds", "+")
        question = f"{name} has {a} bags with {b} {item} each and then {verb} {c} {item}. How many {item} does {name} have now?"
        thinking = f"{a} bags of {b} is {a} * {b} = {a * b}. Then {a * b} {sign} {c} = {total}."
    elif kind == "buy":
        total = a * b + c
        question = f"A box of {item} costs {b} dollars. {name} buys {a} boxes and pays {c} dollars for delivery. How much does {name} pay in total?"
        thinking = f"{a} boxes at {b} dollars is {a} * {b} = {a * b}. Adding {c} for delivery: {a * b} + {c} = {total}."
    else:
        total = b
        question = f"{name} shares {a * b} {item} equally among {a} friends. How many {item} does each friend get?"
        thinking = f"{a * b} divided by {a} is {b}, since {a} * {b} = {a * b}."
    doc = {"question": question, "answer": f"{thinking}\n#### {total}"}
    return _pair("rs_gsm8k", doc, "math-oe", thinking, f"The result is {total}.\n\n{boxed(total)}", boxed(total))


CATEGORIES: dict[str, Callable[[random.Random], dict]] = {
    "multiple-choice": _multiple_choice, "fill-the-blank": _winogrande, "span": _span, "instruction": _instruction,
    "math": _math}


def generate_pairs(seed: int = TEACHER_SEED, per_category: int = PER_CATEGORY) -> list[dict]:
    """`per_category` distinct prompts per category, interleaved (a prefix covers all four)."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[dict] = []
    for _ in range(per_category):
        for make in CATEGORIES.values():
            for _try in range(100):
                row = make(rng)
                if row["prompt"] not in seen:
                    break
            seen.add(row["prompt"])
            out.append(row)
    return out


def heldout_prompts(n_per_category: int = 2, exclude: set[str] | None = None) -> list[dict]:
    """Prompts from the same templates, another seed, none in the bundled pairs."""
    taken = {r["prompt"] for r in generate_pairs()} | (exclude or set())
    rows = [r for r in generate_pairs(HELDOUT_SEED, 3 * n_per_category) if r["prompt"] not in taken]
    per: dict[str, list[dict]] = {}
    for r in rows:
        per.setdefault(r["category"], []).append(r)
    return [r for group in per.values() for r in group[:n_per_category]]


def write_pairs(path: Path = PAIRS_FILE) -> int:
    rows = generate_pairs()
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return len(rows)


if __name__ == "__main__":
    print(f"{write_pairs()} pairs -> {PAIRS_FILE}")
