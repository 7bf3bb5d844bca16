"""Mathematical equivalence of a predicted answer and a gold answer, with a hard deadline.

The comparison itself is math-verify's (parse + verify): it already knows ``\\dfrac`` from
``\\frac``, ``0.5`` from ``\\frac12``, ``1{,}000``, units in ``\\text{}``, ``\\$``,
percentages, intervals and ``x=3``. What it lacks is a time limit that works outside the
main thread (its own uses ``signal.alarm``) and that can stop sympy inside a single long C
call (``9^{9^{9^9}}``), which no signal or thread can interrupt. So every comparison that is
not settled by a cheap string check runs in a small pool of worker processes
(``_math_worker.py``) and a worker that misses its deadline is killed: the answer's status is
``TIMEOUT`` (not "wrong") and the run goes on. The pool is started lazily and reused, so a
comparison costs one pipe round trip, not a process start.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import select
import subprocess
import sys
import threading
import time
from fractions import Fraction

from reasoning_suite.core.score import Score, Status
from reasoning_suite.errors import UserError

from . import answer_forms as F
from ._math_worker import compare
from .boxed import extract_boxed

logger = logging.getLogger(__name__)

_WORKER_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_math_worker.py")
_STARTUP_TIMEOUT_S = 120.0  # importing sympy on a loaded 2-core machine can take a while
_MAX_CHARS = 5_000  # a longer "answer" is not an answer, and could fill the pipe
_MAX_WORKERS = max(2, min(8, os.cpu_count() or 2))
#: Seconds math-verify gets per comparison when the caller names no deadline (the tasks').
DEFAULT_TIMEOUT_S = 5.0

_PLAIN_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_ASSIGN = re.compile(r"([A-Za-z])\s*=\s*")
_FRAC = re.compile(r"\\frac(?:\{(\d+)\}|(\d))(?:\{(\d+)\}|(\d))")
_MIXED = re.compile(r"(\d+) ?(\\frac.*)|(\d+) (\d+/\d+)")
_SLASH = re.compile(r"(\d+)/(\d+)")
_DELIMS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))


class _Worker:
    """One math-verify process talking JSON lines over pipes."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, _WORKER_PATH],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
            close_fds=True,
        )
        self._buf = b""
        self.eof = False  # the worker closed its end (it died), as opposed to a missed deadline
        if self._readline(time.monotonic() + _STARTUP_TIMEOUT_S) != b"ready":
            self.kill()
            raise RuntimeError(f"math-verify worker {_WORKER_PATH} did not start")

    def _readline(self, deadline: float) -> bytes | None:
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(fd, 4096)
            if not chunk:  # the worker died
                self.eof = True
                return None
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    def ask(self, pred: str, gold: str, timeout_s: float) -> Score:
        """The worker's verdict; TIMEOUT when it missed the deadline, ERROR when it died or
        failed. After TIMEOUT or a death the worker is dead (`alive` is False)."""
        data = (json.dumps([pred, gold]) + "\n").encode()
        deadline = time.monotonic() + timeout_s
        try:
            fd = self.proc.stdin.fileno()
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        except OSError as exc:
            self.kill()
            return Score.error(f"math-verify worker died before the question: {exc}")
        line = self._readline(deadline)
        if line is None:
            died = self.eof or self.proc.poll() is not None
            self.kill()
            if died:
                return Score.error(f"math-verify worker died (exit code {self.proc.returncode})")
            return Score.timeout(f"math-verify gave no verdict within {timeout_s:.1f} s")
        if line.startswith(b"E"):
            return Score.error("math-verify worker: " + line[1:].decode(errors="replace").strip())
        return Score.correct(line == b"1")

    @property
    def alive(self) -> bool:
        return self.proc.returncode is None and not self.proc.stdin.closed

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - already gone
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except Exception:  # noqa: BLE001
                pass


class _Pool:
    """Idle workers shared by all threads; at most ``_MAX_WORKERS`` alive at once."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._alive = 0
        self._pid = os.getpid()
        self.broken = False

    def _check_fork(self) -> None:
        # A forked child must not share its parent's pipes: start afresh.
        if self._pid != os.getpid():
            self._idle, self._alive, self._pid = [], 0, os.getpid()

    def acquire(self) -> _Worker | None:
        with self._cond:
            self._check_fork()
            while not self._idle and self._alive >= _MAX_WORKERS:
                self._cond.wait()
            if self._idle:
                return self._idle.pop()
            self._alive += 1
        try:
            return _Worker()
        except Exception as exc:  # noqa: BLE001
            with self._cond:
                self._alive -= 1
                self._cond.notify()
            if not self.broken:
                logger.error("cannot start the math-verify worker (%s); comparing in-process", exc)
            self.broken = True
            return None

    def release(self, worker: _Worker, alive: bool) -> None:
        with self._cond:
            if self._pid != os.getpid():
                return
            if alive:
                self._idle.append(worker)
            else:
                self._alive -= 1
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            if self._pid != os.getpid():  # a forked child must not kill its parent's workers
                return
            idle, self._idle = self._idle, []
            self._alive -= len(idle)
        for worker in idle:
            worker.kill()


_POOL = _Pool()
atexit.register(_POOL.close)

def _in_process(pred: str, gold: str, timeout_s: float) -> Score:
    """Fallback when no worker can start: math-verify's own (main-thread only) timeout."""
    main = threading.current_thread() is threading.main_thread()
    seconds = max(1, int(round(timeout_s))) if main else None
    try:
        from math_verify.errors import TimeoutException
    except ImportError as exc:
        return Score.error(f"math-verify is not importable: {exc}")
    try:
        return Score.correct(compare(pred, gold, seconds))
    except TimeoutException:
        return Score.timeout(f"math-verify gave no verdict within {seconds} s")
    except Exception as exc:  # noqa: BLE001 - a bug in the comparison, not a verdict
        return Score.error(f"math-verify comparison failed: {type(exc).__name__}: {exc}")


def _unwrap(s: str) -> str:
    """Drop math delimiters around the whole answer and take a box's content."""
    s = s.strip()
    if "\\boxed" in s or "\\fbox" in s:
        s = extract_boxed(s) or s
    changed = True
    while changed:
        changed = False
        for left, right in _DELIMS:
            if len(s) > len(left) + len(right) and s.startswith(left) and s.endswith(right):
                s = s[len(left) : -len(right)].strip()
                changed = True
    return s.rstrip(".").strip()


def _plain_number(s: str) -> str | None:
    """``s`` as a plain decimal string (``1,000`` -> ``1000``), else None. A comma followed by
    a space separates list items: ``32, 349`` is not a number (spaces are never deleted)."""
    s = s.replace("{,}", ",").replace("\\!", "")
    if _THOUSANDS.fullmatch(s):
        s = s.replace(",", "")
    return s if _PLAIN_NUMBER.fullmatch(s) else None


def _canon(s: str) -> str:
    """Spacing and sizing commands removed, for an identity check. A space between two digits
    stays (``1 1/2`` is not ``11/2``), and so does one after a comma before three digits
    (``32, 349``, a list, is not ``32,349``)."""
    for a, b in (("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"), ("\\left", ""), ("\\right", ""),
                 ("\\!", ""), ("\\,", ""), ("\\;", ""), ("{,}", ",")):
        s = s.replace(a, b)
    s = re.sub(r"(?<=\d),\s+(?=\d{3}(?!\d))", ",\0", s)
    s = re.sub(r"(?<=\d)\s+(?=\d)", "\0", s)
    return re.sub(r"\s+", "", s).replace("\0", " ")


def _rational(s: str) -> tuple[Fraction, bool, str | None] | None:
    """``s`` as an exact rational: (value, written with a decimal point, assigned variable).

    Only plain forms: integers, decimals, ``\\frac{a}{b}`` (and ``\\dfrac``, ``\\tfrac``,
    ``\\frac12``), ``a/b``, mixed numbers (``1 1/2``, ``1\\frac{1}{2}``), a leading ``-``,
    ``\\$`` or ``x =``. Anything else is None.
    """
    var = None
    m = _ASSIGN.match(s)
    if m:
        var, s = m.group(1), s[m.end():]
    s = _canon(s)
    if s.startswith("\\$"):
        s = s[2:]
    sign = 1
    if s.startswith("-"):
        sign, s = -1, s[1:]
    mixed = _MIXED.fullmatch(s)
    if mixed:
        whole, rest = (mixed.group(1), mixed.group(2)) if mixed.group(1) else (mixed.group(3), mixed.group(4))
        part = _rational(rest)
        if part is None or part[1] or part[2] or part[0] < 0:
            return None
        return sign * (int(whole) + part[0]), False, var
    m = _FRAC.fullmatch(s)
    parts = (m.group(1) or m.group(2), m.group(3) or m.group(4)) if m else None
    m = None if parts else _SLASH.fullmatch(s)
    parts = (m.group(1), m.group(2)) if m else parts
    if parts:
        if len(parts[0]) > 1000 or len(parts[1]) > 1000:
            return None
        num, den = int(parts[0]), int(parts[1])
        return (Fraction(sign * num, den), False, var) if den else None
    number = _plain_number(s)
    if number is None or number.startswith("-") or len(number) > 1000:  # Python refuses > 4300 digits
        return None
    return Fraction(number) * sign, "." in number, var


def _quick(pred: str, gold: str) -> bool | None:
    """Settle the common easy cases without sympy; None means "ask math-verify".

    True only for exactly equal values; False only for two different exact rationals that
    math-verify would also tell apart (no decimals, whose rounding it forgives).
    """
    if _canon(pred) == _canon(gold):
        return True
    p, g = _rational(pred), _rational(gold)
    if p is None or g is None or (p[2] and g[2] and p[2] != g[2]):
        return None
    if p[0] == g[0]:
        return True
    if not p[1] and not g[1]:
        return False
    return None


def _answer_forms(pred: str, gold: str) -> Score | tuple[str, str]:
    """The answer classes math-verify has no option for (`answer_forms`): a verdict, or the
    pair rewritten for the next steps.

    A clock-time gold is compared as a time (``08:34 PM`` = ``20:34:00``; anything that is not
    a time is wrong, so ``10:17`` is not the ratio ``20:34``). Units: two different units are
    wrong (``10 days`` vs ``10 weeks``, ``€`` vs ``\\$``); otherwise the numbers are compared
    (``10`` vs ``10 cm^2``). Then digit groups (``1 000``), mixed numbers (``1 1/2``) and
    degrees inside trig functions are rewritten for math-verify.
    """
    gold_time = F.clock_seconds(gold)
    if gold_time is not None:
        return Score.correct(F.clock_seconds(pred) == gold_time)
    pred, gold = F.group_digits(pred), F.group_digits(gold)
    pred_value, pred_unit = F.split_unit(pred)
    gold_value, gold_unit = F.split_unit(gold)
    if not F.same_unit(pred_unit, gold_unit):
        return Score.correct(False)
    pred, gold = pred_value, gold_value
    return (F.degrees_in_trig(F.mixed_fractions(pred)), F.degrees_in_trig(F.mixed_fractions(gold)))


def math_score(pred: str | None, gold: str, timeout_s: float | None = None) -> Score:
    """Whether ``pred`` is mathematically the same answer as ``gold`` (math-verify's rules).

    Both are answers, not whole responses (a ``\\boxed{}`` in either is unwrapped). Status:
    NO_ANSWER for a None/empty ``pred``; CORRECT / INCORRECT for a verdict (garbage is
    INCORRECT); TIMEOUT when math-verify took longer than ``timeout_s`` seconds (default
    `DEFAULT_TIMEOUT_S`), in any thread; ERROR when the comparison could not run (math-verify missing, a worker that
    died, a bug), with the reason in ``detail``. Never raises.
    """
    timeout_s = DEFAULT_TIMEOUT_S if timeout_s is None else float(timeout_s)
    if not isinstance(gold, str) or not gold.strip():
        return Score.error(f"gold answer is not a non-empty string: {gold!r}"[:200])
    if not isinstance(pred, str) or not pred.strip():
        return Score.no_answer()
    try:
        pred, gold = _unwrap(pred), _unwrap(gold)
        if not pred:
            return Score.no_answer()
        if not gold:
            return Score.error("gold answer is empty once unwrapped")
        if len(pred) > _MAX_CHARS:
            return Score.correct(False)
        if len(gold) > _MAX_CHARS:
            return Score.error(f"gold answer longer than {_MAX_CHARS} characters")
        decided = _answer_forms(pred, gold)
        if isinstance(decided, Score):
            return decided
        pred, gold = decided
        quick = _quick(pred, gold)
        if quick is not None:
            return Score.correct(quick)
        pred_box, gold_box = "\\boxed{" + pred + "}", "\\boxed{" + gold + "}"
        worker = None if _POOL.broken else _POOL.acquire()
        if worker is None:
            return _in_process(pred_box, gold_box, timeout_s)
        score = None
        try:
            score = worker.ask(pred_box, gold_box, float(timeout_s))
        except BaseException:  # Ctrl-C mid-question: the worker's answer would be stale
            worker.kill()
            raise
        finally:
            _POOL.release(worker, alive=score is not None and worker.alive)
        if score.status is Status.TIMEOUT:
            logger.warning("math_score: %s for %r vs %r", score.detail, pred[:80], gold[:80])
        elif score.status is Status.ERROR:
            logger.error("math_score: %s for %r vs %r", score.detail, pred[:80], gold[:80])
        return score
    except Exception as exc:  # noqa: BLE001 - a scorer never crashes the run; a bug is an ERROR
        logger.debug("math_score failed on %r vs %r", pred, gold, exc_info=True)
        return Score.error(f"math_score: {type(exc).__name__}: {exc}"[:300])


def math_equal(pred: str | None, gold: str, timeout_s: float | None = None) -> bool:
    """``math_score(...)`` is CORRECT: a plain yes/no for tools and tests. The tasks use
    `math_score`, which keeps TIMEOUT and ERROR apart from "not equal"."""
    return math_score(pred, gold, timeout_s).status is Status.CORRECT


def gsm8k_gold(answer_field: str) -> str:
    """The gold number of a GSM8K ``answer`` field: what follows ``####``, commas removed."""
    if not isinstance(answer_field, str) or "####" not in answer_field:
        raise UserError(f"gsm8k field 'answer' has no '#### <number>' line: {str(answer_field)[-80:]!r}")
    gold = answer_field.rsplit("####", 1)[1].strip().replace(",", "").replace("$", "")
    if not gold:
        raise UserError(f"gsm8k field 'answer' has nothing after '####': {answer_field[-80:]!r}")
    return gold
