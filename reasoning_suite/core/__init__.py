"""The study's rules, each with exactly one owner (docs/DATAFLOW.md, "Owners").

Every other subpackage imports these instead of re-deriving them: what a score's status is
(`score`), what the scored answer is (`answer`), how task scores roll up into categories and
the suite (`aggregate`), how lm-eval's output is read (`logged_run`).
"""
