"""How each benchmark row becomes a prompt, a gold answer and a few-shot target.

Pure functions of a dataset row (after the task's `process_docs`), shared by the lm-eval
YAMLs (`doc_to_text`, `doc_to_target`), the registry (`question`, `truth`, read by the judges)
and the scoring glue (gold answers). Keeping them in one module means the prompt a model saw,
the ground truth a judge sees and the answer the rule scorer checks can never drift apart.

Layout (ours; the instruction lines are the paper's Table 4, verbatim):

    <instruction>

    <question block>

where the question block is the question, then options one per line as `A) text` (Winogrande:
`Option 1: text` / `Option 2: text`), passages as `Passage: ...` followed by `Question: ...`,
and a CoQA dialogue as the earlier `Question:`/`Answer:` turns before the current question.
Few-shot examples (base models) append `\\nAnswer: \\boxed{gold}` to the same layout, and the
evaluated question ends with the same `\\nAnswer:` cue (see "few-shot layout" below).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

BOXED = "Make sure to put the answer (and only answer) inside \\boxed{}."

# Paper Table 4 (appendix D.2), verbatim.
MATH = f"Solve the following math problem. {BOXED}"
WINOGRANDE = (
    "Given a sentence with a blank (...) and two possible options, choose the option that correctly "
    f"fills the blank so that the sentence makes the most logical sense. {BOXED}"
)
OPENBOOKQA = f"Select the option that best completes the scenario based on everyday reasoning about cause and effect. {BOXED}"
SPAN = (
    "Read the passage and answer the question by selecting the text span from the passage that best "
    f"answers it. {BOXED}"
)
MMLU_MISC = f"Answer the following multiple-choice question by selecting the option that best fits the correct knowledge. {BOXED}"
IFEVAL = "Answer the following instruction."

# The paper gives no instruction for the extended tasks (appendix F.1); these are ours, written in
# the same style and ending with the same \boxed{} sentence.
MC_GENERIC = MMLU_MISC
CONSUMER_QA = f"Read the contract and answer the question about it with Yes or No. {BOXED}"
CODE_SUMMARY = f"Summarize what the following C function does in one sentence. {BOXED}"

LETTERS = "ABCDEFGHIJKLMNOP"


# --------------------------------------------------------------------------- few-shot layout
# A worked example (base models, `--num_fewshot N`, no chat template) is the zero-shot prompt,
# then `\nAnswer: \boxed{gold}`; examples are separated by a blank line, and the question ends
# with the same cue, so the model's continuation is its answer. lm-eval renders this from the
# YAML keys below (build_yaml writes them); the scored region's cut (core.answer.FewshotCut)
# is derived from the same strings, here, in one place.

ANSWER_CUE = "Answer:"
FEWSHOT_DELIMITER = "\n\n"
# Zero-shot / chat layout: lm-eval puts `target_delimiter` between a worked example's question
# and its target; the question a model answers gets no cue.
TARGET_DELIMITER = "\n" + ANSWER_CUE + " "
# Base few-shot layout: the cue is lm-eval's `gen_prefix`, which lm-eval writes after every
# example's question *and* after the evaluated question (`target_delimiter` then is the newline).
FEWSHOT_GEN_PREFIX = ANSWER_CUE
FEWSHOT_TARGET_DELIMITER = "\n"


def next_example_starts(instruction: str) -> tuple[str, ...]:
    """Texts that, inside a base model's continuation, begin an example the model invented.

    Every example of the layout starts with the task's instruction line and ends with a line
    starting with the cue; after the model's own answer began, either one is the next example.
    The instruction alone is also the stop sequence of the few-shot YAML (see build_yaml)."""
    starts = [instruction.strip()] if instruction.strip() else []
    return tuple(starts + ["\n" + ANSWER_CUE])


ZERO_SHOT_STOP: tuple[str, ...] = ("<|im_end|>",)
"""lm-eval `until` of the zero-shot (chat) layout. The paper decodes with no stop string but
end-of-sequence; an empty list says that to lm-eval's local backends, but lm-eval's API backends
send it on as `"stop": []`, which `transformers serve` rejects with HTTP 500 on every request
(its stop-string matcher cannot embed an empty list). ChatML's end of turn is the one stop that
changes nothing: ChatML models end there anyway (it is their EOS) and other models never write it.
Never empty: tests/test_tasks_api_backends.py runs the suite through both API backends."""


def fewshot_stop_sequences(instructions: Iterable[str]) -> tuple[str, ...]:
    """lm-eval `until` of the base few-shot layout: every instruction line of the suite (each
    example starts with its task's line). The paper decodes with no stop string but EOS; a base
    model has no reason to stop, so without one it writes examples until `max_gen_toks`.

    One list for every task, not each task's own line: lm-eval batches generation requests only
    when their gen_kwargs are equal, so per-task stops split the suite by instruction line (on a
    CPU a decoding step costs about the same for 1 or 8 rows: the 12 core tasks ran in 6 batches
    instead of 2, 1.59x slower; benchmarks/bench_eval.py). Another task's instruction line inside a
    continuation also starts an invented example. The cue is not a stop: the answer rule cuts
    there anyway, and a stop would also fire on a cue the model repeats first."""
    return tuple(sorted({i.strip() for i in instructions if i.strip()}))


# --------------------------------------------------------------------------- layout helpers

def _options_block(options: tuple[str, ...] | list[str], letters: str = LETTERS) -> str:
    return "\n".join(f"{letters[i]}) {str(opt).strip()}" for i, opt in enumerate(options))


def _mc(question: str, view: "MCView") -> str:
    return f"{question.strip()}\n\n{_options_block(view.options, view.letters)}"


@dataclass(frozen=True)
class MCView:
    """A multiple-choice row as the scorer and the judge read it: option labels, texts, gold label."""

    letters: str  # one label per option, e.g. "ABCD" (Winogrande: "12")
    options: tuple[str, ...]
    gold: str  # the gold label

    def text_of(self, letter: str) -> str | None:
        idx = self.letters.find(letter)
        return str(self.options[idx]).strip() if 0 <= idx < len(self.options) and letter else None

    @property
    def gold_text(self) -> str:
        text = self.text_of(self.gold)
        return self.gold if text is None else text

    def readable(self) -> str:
        """The gold readable on its own: "C) 42" (the label alone if it names no option)."""
        text = self.text_of(self.gold)
        return self.gold if text is None else f"{self.gold}) {text}"


class NumberWithUnit(NamedTuple):
    """SciBench's gold: a number in a stated unit (LaTeX as the dataset writes it)."""

    number: str
    unit: str


# --------------------------------------------------------------------------- multiple-choice views

def mc_view_winogrande(doc: dict) -> MCView:
    return MCView("12", (str(doc["option1"]), str(doc["option2"])), str(doc["answer"]).strip())


def mc_view_openbookqa(doc: dict) -> MCView:
    letters = "".join(str(label) for label in doc["choices"]["label"])
    return MCView(letters, tuple(doc["choices"]["text"]), doc["answerKey"].strip())


_AQUA_OPTION = re.compile(r"^\s*\(?([A-Ea-e])\s*\)\s*")


def aqua_options(doc: dict) -> list[str]:
    """aqua_rat options come as "A)21"; the text is what follows the letter."""
    return [_AQUA_OPTION.sub("", opt, count=1).strip() for opt in doc["options"]]


def mc_view_aqua(doc: dict) -> MCView:
    options = tuple(aqua_options(doc))
    return MCView(LETTERS[: len(options)], options, doc["correct"].strip())


def mmlu_letter(doc: dict) -> str:
    return LETTERS[int(doc["answer"])]


def mc_view_mmlu(doc: dict) -> MCView:
    options = tuple(doc["choices"])
    return MCView(LETTERS[: len(options)], options, mmlu_letter(doc))


def mmlu_pro_letter(doc: dict) -> str:
    answer = doc.get("answer")
    if isinstance(answer, str) and len(answer) == 1 and answer.upper() in LETTERS:
        return answer.upper()
    return LETTERS[int(doc["answer_index"])]


def mc_view_mmlu_pro(doc: dict) -> MCView:
    options = tuple(doc["options"])
    return MCView(LETTERS[: len(options)], options, mmlu_pro_letter(doc))


# --------------------------------------------------------------------------- golds (what the scorer checks)

def squad_golds(doc: dict) -> list[str]:
    return [t for t in doc["answers"]["text"] if str(t).strip()]


def coqa_golds(doc: dict) -> list[str]:
    """A flattened CoQA row (see `data.flatten_coqa`) carries its gold answers in `answers`."""
    return [t for t in doc["answers"] if str(t).strip()]


def gsm8k_answer(doc: dict) -> str:
    from reasoning_suite.harness_tasks.scoring import gsm8k_gold

    return gsm8k_gold(doc["answer"])


def math500_answer(doc: dict) -> str:
    return str(doc["answer"])


def aime_problem(doc: dict) -> str:
    for key in ("problem", "Problem", "question"):
        if doc.get(key):
            return str(doc[key])
    raise KeyError("AIME row has none of the fields problem/Problem/question")


def aime_answer(doc: dict) -> str:
    for key in ("answer", "Answer"):
        if doc.get(key) is not None and str(doc[key]).strip() != "":
            return str(doc[key]).strip()
    raise KeyError("AIME row has no answer/Answer field")


def scibench_unit(doc: dict) -> str:
    return str(doc.get("unit") or "").strip()


def gold_scibench(doc: dict) -> NumberWithUnit:
    return NumberWithUnit(str(doc["answer_number"]), scibench_unit(doc))


def gold_consumer_qa(doc: dict) -> str:
    return str(doc["answer"]).strip()


def gold_code_summary(doc: dict) -> str:
    return str(doc["summary"]).strip()


def gold_ifeval(doc: dict) -> list[str]:
    """IFEval has no reference answer: its gold is the list of instructions to follow."""
    return list(doc.get("instruction_id_list", []))


def _unit_plain(unit: str) -> str:
    """'$\\mathrm{~m} / \\mathrm{s}$' -> 'm / s', for readable ground truths only."""
    text = unit.replace("$", "").replace("~", " ")
    text = re.sub(r"\\(?:mathrm|text|mathbf|operatorname)\s*\{([^{}]*)\}", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def join_golds(golds: list[str]) -> str:
    """Several accepted answers, readable: "France (also accepted: a region in France)"."""
    unique = list(dict.fromkeys(str(g).strip() for g in golds if str(g).strip()))
    if not unique:
        return ""
    if len(unique) == 1:
        return unique[0]
    return f"{unique[0]} (also accepted: {'; '.join(unique[1:])})"


# --------------------------------------------------------------------------- question blocks

def question_winogrande(doc: dict) -> str:
    return f"{doc['sentence'].strip()}\n\nOption 1: {doc['option1']}\nOption 2: {doc['option2']}"


def question_openbookqa(doc: dict) -> str:
    return _mc(doc["question_stem"], mc_view_openbookqa(doc))


def question_mmlu(doc: dict) -> str:
    return _mc(doc["question"], mc_view_mmlu(doc))


def question_mmlu_pro(doc: dict) -> str:
    return _mc(doc["question"], mc_view_mmlu_pro(doc))


def question_aqua(doc: dict) -> str:
    return _mc(doc["question"], mc_view_aqua(doc))


def question_squad(doc: dict) -> str:
    return f"Passage: {doc['context'].strip()}\n\nQuestion: {doc['question'].strip()}"


def question_coqa(doc: dict) -> str:
    turns = "".join(f"Question: {q}\nAnswer: {a}\n\n" for q, a in zip(doc["history_questions"], doc["history_answers"]))
    return f"Passage: {doc['story'].strip()}\n\n{turns}Question: {doc['question'].strip()}"


def question_ifeval(doc: dict) -> str:
    return doc["prompt"]


def question_gsm8k(doc: dict) -> str:
    return doc["question"].strip()


def question_math500(doc: dict) -> str:
    return doc["problem"].strip()


def question_aime(doc: dict) -> str:
    return aime_problem(doc).strip()


def question_scibench(doc: dict) -> str:
    """SciBench answers are numbers in a stated unit; like SciBench's own prompt we state the unit."""
    unit = scibench_unit(doc)
    text = doc["problem_text"].strip()
    return f"{text}\nThe unit of the answer is {unit}." if unit else text


def question_consumer_qa(doc: dict) -> str:
    return f"Contract: {doc['contract'].strip()}\n\nQuestion: {doc['question'].strip()}"


def question_code(doc: dict) -> str:
    return f"```c\n{doc['code'].rstrip()}\n```"


# --------------------------------------------------------------------------- truths (readable, for judges)
# Multiple-choice tasks read theirs off the MC view ("C) 42"), others off their gold.

def truth_winogrande(doc: dict) -> str:
    view = mc_view_winogrande(doc)
    return f"Option {view.gold}: {view.gold_text}" if view.gold in ("1", "2") else view.gold


def truth_ifeval(doc: dict) -> str:
    return "follows every instruction: " + ", ".join(gold_ifeval(doc))


def truth_scibench(doc: dict) -> str:
    gold = gold_scibench(doc)
    return f"{gold.number} {_unit_plain(gold.unit)}".strip()


# --------------------------------------------------------------------------- few-shot targets

def boxed(text: Any) -> str:
    return "\\boxed{" + str(text).strip() + "}"


def target_winogrande(doc: dict) -> str:
    """Winogrande's worked examples box the option's text (the scorer also takes 1/2)."""
    return boxed(mc_view_winogrande(doc).gold_text)


def target_scibench(doc: dict) -> str:
    return boxed(doc["answer_number"])


def target_ifeval(doc: dict) -> str:
    """Only the hand-written few-shot examples carry a response (data.IFEVAL_FEWSHOT)."""
    return str(doc.get("response", ""))
