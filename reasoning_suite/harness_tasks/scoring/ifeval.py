"""IFEval with lm-eval's own instruction checkers, offline, on the final answer only.

The checkers are lm-eval's (``lm_eval.tasks.ifeval``), so our numbers are comparable with
its ``ifeval`` task; what we add is (1) the thinking trace is removed first (a checker such
as "no commas" must judge the answer, not the trace), (2) the NLTK data they need is
provided without a download (`nltk_data`), and (3) a crash of one checker on odd model
output fails that instruction instead of the run.
"""

from __future__ import annotations

import functools

from reasoning_suite.core.answer import final_answer
from reasoning_suite.core.score import Score
from reasoning_suite.errors import UserError

from .nltk_data import ensure_punkt_tab


@functools.lru_cache(maxsize=1)
def _lm_eval_ifeval():
    ensure_punkt_tab()  # before the import: lm-eval tries nltk.download at import time
    from lm_eval.tasks.ifeval import instructions_registry, utils

    return utils, instructions_registry.INSTRUCTION_DICT


def _check_doc(doc: dict) -> tuple[list[str], list[dict], str]:
    if not isinstance(doc, dict):
        raise UserError(f"ifeval doc must be a mapping, got {type(doc).__name__}")
    ids, kwargs, prompt = doc.get("instruction_id_list"), doc.get("kwargs"), doc.get("prompt", "")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise UserError("ifeval doc field 'instruction_id_list' must be a list of instruction ids")
    if not isinstance(kwargs, list) or len(kwargs) != len(ids):
        raise UserError("ifeval doc field 'kwargs' must be a list with one dict per instruction")
    _, known = _lm_eval_ifeval()
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise UserError(f"ifeval doc field 'instruction_id_list' has unknown ids: {unknown}")
    return ids, [dict(k or {}) for k in kwargs], prompt if isinstance(prompt, str) else ""


def _one(check, key, instruction_id: str, prompt: str, kwargs: dict, response: str, errors: list[str]) -> bool:
    utils, _ = _lm_eval_ifeval()
    inp = utils.InputExample(key=key, instruction_id_list=[instruction_id], prompt=prompt, kwargs=[kwargs])
    try:
        return bool(check(inp, response).follow_instruction_list[0])
    except Exception as exc:  # noqa: BLE001 - a checker crash fails the instruction, status ERROR
        errors.append(f"{instruction_id}: {type(exc).__name__}: {exc}"[:200])
        return False


def ifeval_score(response: str | None, doc: dict) -> tuple[Score, dict]:
    """(Score, lm-eval's four IFEval metrics) for one response.

    ``response`` is read by the answer rule (`core.answer.final_answer`: a trace never closed
    leaves no answer); a None response fails every instruction (NO_ANSWER). The Score is CORRECT when
    every instruction is followed (prompt-level strict), ERROR when lm-eval's checkers cannot
    be loaded or one of them crashed (that instruction counts as not followed in the
    metrics). Raises `UserError` only for a malformed doc, never for model output.
    """
    try:
        ids, kwargs, prompt = _check_doc(doc)
    except (ImportError, LookupError) as exc:  # lm-eval's ifeval module or its NLTK data
        n = len(doc.get("instruction_id_list") or []) if isinstance(doc, dict) else 0
        return Score.error(f"lm-eval's IFEval checkers are not loadable: {exc}"[:300]), _metrics([False] * n, [False] * n)
    answer = final_answer(response)
    errors: list[str] = []
    if answer is None:
        strict = loose = [False] * len(ids)
    else:
        utils, _ = _lm_eval_ifeval()
        key = doc.get("key", 0)
        strict = [_one(utils.test_instruction_following_strict, key, i, prompt, kw, answer, errors)
                  for i, kw in zip(ids, kwargs)]
        loose = [_one(utils.test_instruction_following_loose, key, i, prompt, kw, answer, errors)
                 for i, kw in zip(ids, kwargs)]
    if errors:
        score = Score.error("IFEval checker crashed: " + "; ".join(errors))
    elif answer is None or not answer.strip():
        score = Score.no_answer()
    else:
        score = Score.correct(all(strict))
    return score, _metrics(strict, loose)


def _metrics(strict: list[bool], loose: list[bool]) -> dict:
    return {
        "prompt_level_strict_acc": all(strict),
        "inst_level_strict_acc": strict,
        "prompt_level_loose_acc": all(loose),
        "inst_level_loose_acc": loose,
    }


def ifeval_scores(response: str | None, doc: dict) -> dict:
    """lm-eval's four IFEval metrics for one response (the dict of `ifeval_score`)."""
    return ifeval_score(response, doc)[1]
