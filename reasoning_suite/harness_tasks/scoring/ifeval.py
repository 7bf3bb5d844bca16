"""IFEval with lm-eval's own instruction checkers, offline, on the final answer only.

The checkers are lm-eval's (``lm_eval.tasks.ifeval``), so our numbers are comparable with
its ``ifeval`` task; what we add is (1) the thinking trace is removed first (a checker such
as "no commas" must judge the answer, not the trace), (2) the NLTK data they need is
provided without a download (`nltk_data`), and (3) a crash of one checker on odd model
output fails that instruction instead of the run.
"""

from __future__ import annotations

import functools

from reasoning_suite.errors import UserError

from .nltk_data import ensure_punkt_tab
from reasoning_suite.core.answer import final_answer


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


def _one(check, key, instruction_id: str, prompt: str, kwargs: dict, response: str) -> bool:
    utils, _ = _lm_eval_ifeval()
    inp = utils.InputExample(key=key, instruction_id_list=[instruction_id], prompt=prompt, kwargs=[kwargs])
    try:
        return bool(check(inp, response).follow_instruction_list[0])
    except Exception:  # noqa: BLE001 - a checker choking on the output fails it
        return False


def ifeval_scores(response: str | None, doc: dict) -> dict:
    """lm-eval's four IFEval metrics for one response.

    ``response`` is read by the answer rule (`core.answer.final_answer`: a trace never closed
    leaves no answer); a None response fails every instruction. Raises `UserError` only for a malformed
    doc, never for model output.
    """
    ids, kwargs, prompt = _check_doc(doc)
    answer = final_answer(response)
    if answer is None:
        strict = loose = [False] * len(ids)
    else:
        utils, _ = _lm_eval_ifeval()
        key = doc.get("key", 0)
        strict = [_one(utils.test_instruction_following_strict, key, i, prompt, kw, answer)
                  for i, kw in zip(ids, kwargs)]
        loose = [_one(utils.test_instruction_following_loose, key, i, prompt, kw, answer)
                 for i, kw in zip(ids, kwargs)]
    return {
        "prompt_level_strict_acc": all(strict),
        "inst_level_strict_acc": strict,
        "prompt_level_loose_acc": all(loose),
        "inst_level_loose_acc": loose,
    }
