"""The one rule for the scored region of a response: what "the model's answer" is.

Every part that reads an answer calls this module: the lm-eval filter that feeds the rule
scorers (`harness_tasks.process.FinalAnswerFilter`), the judges (what a judge is shown of a
model's response, and how a judge's own reply is read), the trainers (the answer half of a
teacher's trace, and what a summary is made of) and the analysis (the thinking/answer token
split). The rule:

1. **Thinking.** Only the text after the last *closed* `</think>` counts. A trace that never
   closes has no answer, and neither has one that re-opens after its last close
   (`<think>a</think> \\boxed{yes} <think>wait`: the model went back to thinking, so the
   box was tentative). When the chat template itself opened `<think>` inside the prompt
   (`template_opened_thinking`, QwQ / DeepSeek-R1 style) the response starts mid-thought, so
   a response without `</think>` has no answer either.
2. **Few-shot base runs** (`fewshot`, a `FewshotCut` derived from the prompt layout by
   `harness_tasks.prompts`): a base model prompted with worked examples and no stop string goes
   on to invent the next example. The answer ends where one starts (the first of
   `FewshotCut.starts` after the answer began), and a copy of the layout's answer cue at its
   start (`Answer:`) is not part of it.

How a run extracts its answers travels with the run: the task YAML's filter arguments (`thinking`,
`fewshot`, written by `reasoning-suite tasks-dir|eval --thinking/--fewshot`), logged by lm-eval in
the results JSON; `extraction_from_task_config` reads them back for the judges and the analysis, and
`check_thinking_mode` warns when a logged prompt ends in an open `<think>` the run was not told
about (its scores then used rule 1 without the template's open tag, and so do its readers).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterable

log = logging.getLogger(__name__)

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"

# The lm-eval filter that applies the rule, and its arguments (harness_tasks.process).
FINAL_ANSWER_FILTER = "rs_final_answer"
THINKING_MODES = ("auto", "prompt-opened")


@dataclass(frozen=True)
class FewshotCut:
    """How a few-shot layout's next example starts: `starts` (any of them, once the answer
    began, starts an invented example) and `cue` (the answer cue a model may copy in front)."""

    starts: tuple[str, ...]
    cue: str = ""


@dataclass(frozen=True)
class Split:
    """A response in its three regions; `thinking + answer_text + after == text`.

    `answer` is the scored answer (stripped), None when there is none; `answer_text` is the
    same region unstripped (its whitespace was generated and costs tokens too); `after` is what
    follows the answer: an invented few-shot example, or a re-opened trace."""

    thinking: str
    answer_text: str
    after: str
    answer: str | None

    @property
    def closed_thinking(self) -> bool:
        """The response closed its thinking block: a `</think>` not followed by a re-opened trace
        (what a reasoning student must learn; an IFT answer without tags is False)."""
        return self.thinking.endswith(THINK_CLOSE) and not self.after.startswith(THINK_OPEN)

    def thinking_split(self, text: str) -> tuple[str, str | None]:
        """`split_thinking`'s (thinking, rest) of `text`, the response this split was made of."""
        if self.answer is None:
            return text, None
        return self.thinking, self.answer_text + self.after


def split_response(text: str | None, *, template_opened_thinking: bool = False,
                   fewshot: FewshotCut | None = None) -> Split:
    """Split a response by the rule (module docstring); the one implementation of it."""
    if not isinstance(text, str):
        return Split("", "", "", None)
    close = text.rfind(THINK_CLOSE)
    if close >= 0:
        cut = close + len(THINK_CLOSE)
        thinking, rest = text[:cut], text[cut:]
        reopened = rest.find(THINK_OPEN)
        if reopened >= 0:  # back to thinking after the last close, never closed again
            return Split(thinking, rest[:reopened], rest[reopened:], None)
    elif THINK_OPEN in text or template_opened_thinking:
        return Split(text, "", "", None)
    else:
        thinking, rest = "", text
    region, after = rest, ""
    if fewshot is not None:
        region, after = _cut_next_example(rest, fewshot)
    answer = _clean(region, fewshot)
    return Split(thinking, region, after, answer)


def _cut_next_example(region: str, fewshot: FewshotCut) -> tuple[str, str]:
    body = region.lstrip()
    lead = len(region) - len(body)
    if fewshot.cue and body.startswith(fewshot.cue):
        lead += len(fewshot.cue)
    starts = [p for p in (region.find(s, lead) for s in fewshot.starts if s) if p >= 0]
    if not starts:
        return region, ""
    end = min(starts)
    return region[:end], region[end:]


def _clean(region: str, fewshot: FewshotCut | None) -> str | None:
    answer = region.strip()
    if fewshot is not None and fewshot.cue and answer.startswith(fewshot.cue):
        answer = answer[len(fewshot.cue):].strip()
    return answer or None


def final_answer(text: str | None, *, template_opened_thinking: bool = False,
                 fewshot: FewshotCut | None = None) -> str | None:
    """The scored region of `text`, stripped; None when the response has no answer."""
    return split_response(text, template_opened_thinking=template_opened_thinking, fewshot=fewshot).answer


def split_thinking(text: str, *, template_opened_thinking: bool = False,
                   fewshot: FewshotCut | None = None) -> tuple[str, str | None]:
    """(thinking, the rest) for the analysis' token split; `thinking + rest == text`.

    `thinking` is everything before the answer region (tags included); the rest is the answer
    region unstripped (its whitespace was generated too) and what follows it (an invented
    few-shot example is generated text, not thinking). When the response has no answer by
    `final_answer`, the rest is None and the whole response counts as thinking."""
    return split_response(text, template_opened_thinking=template_opened_thinking, fewshot=fewshot).thinking_split(text)


@dataclass(frozen=True)
class AnswerRule:
    """The rule under one run's answer extraction, for one task: what callers pass around."""

    template_opened_thinking: bool = False
    fewshot: FewshotCut | None = None

    def final_answer(self, text: str | None) -> str | None:
        return final_answer(text, template_opened_thinking=self.template_opened_thinking, fewshot=self.fewshot)

    def split(self, text: str | None) -> Split:
        return split_response(text, template_opened_thinking=self.template_opened_thinking, fewshot=self.fewshot)

    def split_thinking(self, text: str) -> tuple[str, str | None]:
        return split_thinking(text, template_opened_thinking=self.template_opened_thinking, fewshot=self.fewshot)


# --------------------------------------------------------------------------- a run's answer extraction

def prompt_opens_thinking(prompt: str | None) -> bool:
    """The rendered prompt ends inside an open `<think>` (the chat template opened it)."""
    if not isinstance(prompt, str):
        return False
    return prompt.rfind(THINK_OPEN) > prompt.rfind(THINK_CLOSE)


@dataclass(frozen=True)
class AnswerExtraction:
    """What a run was told: the filter arguments of one task, as lm-eval logged them."""

    thinking: str = "auto"  # one of THINKING_MODES
    fewshot: bool = False
    told: bool = False  # the task config carried our filter (False: a user's own task / no config)

    @property
    def template_opened_thinking(self) -> bool:
        return self.thinking == "prompt-opened"


def extraction_from_task_config(task_config: dict[str, Any] | None) -> AnswerExtraction:
    """The answer extraction of one task from its logged config (`results["configs"][task]`): the arguments of
    its `rs_final_answer` filter. A config without our filter gives the default extraction."""
    for step in _filter_steps(task_config):
        if step.get("function") == FINAL_ANSWER_FILTER:
            thinking = str(step.get("thinking") or "auto")
            return AnswerExtraction(thinking=thinking if thinking in THINKING_MODES else "auto",
                           fewshot=bool(step.get("fewshot", False)), told=True)
    return AnswerExtraction()


def _filter_steps(task_config: dict[str, Any] | None) -> Iterable[dict[str, Any]]:
    if not isinstance(task_config, dict):
        return
    for entry in task_config.get("filter_list") or []:
        if isinstance(entry, dict):
            for step in entry.get("filter") or []:
                if isinstance(step, dict):
                    yield step


def check_thinking_mode(extraction: AnswerExtraction, prompts: Iterable[str | None], *, where: str) -> int:
    """Warn (once) when logged prompts end in an open `<think>` but the run was not told
    (`--thinking prompt-opened` forgotten). Returns how many prompts did. The extraction is not
    changed: the run's scores used the extraction it was told, and its readers must agree with them."""
    opened = sum(1 for p in prompts if prompt_opens_thinking(p))
    if opened and not extraction.template_opened_thinking:
        log.warning(
            "%s: %d logged prompt(s) end in an open <think> but the run was not told "
            "(--thinking prompt-opened): its scores, and this reading, count a response without "
            "</think> as an answer; re-run with `reasoning-suite eval --thinking prompt-opened`",
            where, opened)
    return opened
