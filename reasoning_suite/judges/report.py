"""Build the judged outputs (docs/DATAFLOW.md §3) from the replies: pure, no I/O.

Scores per category, lm-eval group and overall come from `reasoning_suite.core.aggregate`
(category = mean of its tasks that ran, suite and overall = mean of their categories that
ran), the same rule as the leaderboard and the suite's lm-eval groups, one metric at a time:
a task's rule score is stored under its primary metric (`TaskInfo.primary_metric`: `acc`, or
`rougeL` for code summarization), so rougeL never enters an `acc` mean. The stderr is that of
the same weighted mean of independent estimates, sqrt(sum (w_i se_i)^2).
"""

from __future__ import annotations

import math
from itertools import combinations
from typing import Any

from reasoning_suite.core.aggregate import OVERALL, Grouping, aggregate, combined_stderr, metric_scores
from reasoning_suite.endpoints import ChatResult
from reasoning_suite.harness_tasks.registry import primary_metric, suite_grouping
from reasoning_suite.judges.config import PanelConfig
from reasoning_suite.judges.prepare import ItemKey, TaskView
from reasoning_suite.core.logged_run import LoggedRun, TaskLog, responses
from reasoning_suite.judges.stats import (
    abstention_rate,
    accuracy_mae,
    agreement_accuracy,
    judge_accuracy,
    mean,
    mean_stderr,
    median_mae_across_tasks,
    pairwise_agreement,
    panel_kappa,
)
from reasoning_suite.judges.verdicts import panel_vote, parse_verdict, vote_score

MAX_EXAMPLES = 5


def _decision(verdicts: list[str | None], panel: PanelConfig) -> str:
    yes = verdicts.count("yes")
    no = verdicts.count("no")
    if yes + no < panel.vote.min_verdicts:
        return "too_few"
    return "tie" if yes == no else "majority"


def judge_task(
    ts: TaskLog,
    view: TaskView,
    shown: dict[int, dict[str, str]],
    replies: dict[tuple[ItemKey, str], ChatResult],
    panel: PanelConfig,
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """(judged samples, the task's results entry, the task's judge_stats entry)."""
    names = [j.name for j in panel.judges]
    prices = {j.name: j.endpoint for j in panel.judges}
    by_judge: dict[str, list[str | None]] = {n: [] for n in names}
    tokens = {n: {"prompt_tokens": 0, "completion_tokens": 0, "calls": 0} for n in names}
    truncated = {n: 0 for n in names}  # replies cut by max_tokens: the usual cause of abstentions
    decisions = {"majority": 0, "tie": 0, "too_few": 0}
    panel_abstentions = 0
    judged: list[dict[str, Any]] = []
    scores: list[float] = []
    rule_metric = primary_metric(ts.task)
    rule_scores: list[float] = []
    disagreements = {"panel_yes_rule_no": 0, "panel_no_rule_yes": 0}
    examples: dict[str, list[dict[str, Any]]] = {"panel_yes_rule_no": [], "panel_no_rule_yes": []}
    compared = 0
    for index, sample in enumerate(ts.samples):
        resps = responses(sample)
        verdicts = {n: [] for n in names}
        raw = {n: [] for n in names}
        votes: list[bool | None] = []
        for repeat in range(len(resps)):
            key = ItemKey(ts.task, index, repeat)
            row = []
            for n in names:
                reply = replies[(key, n)]
                verdict = parse_verdict(reply.content)
                verdicts[n].append(verdict)
                raw[n].append(reply.content)
                by_judge[n].append(verdict)
                row.append(verdict)
                tokens[n]["prompt_tokens"] += reply.prompt_tokens
                tokens[n]["completion_tokens"] += reply.completion_tokens
                tokens[n]["calls"] += 1
                truncated[n] += reply.finish_reason == "length"
            decisions[_decision(row, panel)] += 1
            vote = panel_vote(row, panel.vote)
            panel_abstentions += vote is None
            votes.append(vote)
        score = vote_score(votes, panel.vote) if votes else None
        out = dict(sample)
        out["judge_acc"] = score
        out["judge"] = {"votes": votes, "verdicts": verdicts, "raw": raw}
        judged.append(out)
        if score is not None:
            scores.append(score)
        rule = sample.get(rule_metric)
        if isinstance(rule, (int, float)) and not isinstance(rule, bool) and math.isfinite(rule):
            rule_scores.append(float(rule))
            if rule_metric == "acc" and score is not None:
                compared += 1
                if abs(score - rule) > 1e-9:
                    kind = "panel_yes_rule_no" if score > rule else "panel_no_rule_yes"
                    disagreements[kind] += 1
                    if len(examples[kind]) < MAX_EXAMPLES:
                        examples[kind].append(
                            {
                                "doc_id": sample.get("doc_id"),
                                "truth": shown[index]["truth"],
                                "answer_ending": (resps[0] if resps else "")[-300:],
                                "rule_acc": rule,
                                "judge_acc": score,
                                "verdicts": verdicts,
                            }
                        )
    per_judge = {}
    for n in names:
        entry = judge_accuracy(by_judge[n])
        entry.update(tokens[n])
        entry["truncated"] = truncated[n]
        entry["cost"] = prices[n].cost(tokens[n]["prompt_tokens"], tokens[n]["completion_tokens"])
        per_judge[n] = entry
    accs = {n: agreement_accuracy(per_judge[n]) for n in names}
    costs = [per_judge[n]["cost"] for n in names if per_judge[n]["cost"] is not None]
    result = {
        "alias": ts.task,
        "judge_acc,none": mean(scores),
        "judge_acc_stderr,none": mean_stderr(scores),
        f"{rule_metric},none": mean(rule_scores),
        f"{rule_metric}_stderr,none": mean_stderr(rule_scores),
        "samples": len(ts.samples),
        "judgements": sum(len(responses(s)) for s in ts.samples),
    }
    if rule_metric != "acc":
        result["rule_metric"] = rule_metric
    stats = {
        "category": view.category,
        "prompt": view.prompt_kind,
        "per_judge": per_judge,
        "pairwise_agreement": {f"{a}|{b}": pairwise_agreement(by_judge[a], by_judge[b]) for a, b in combinations(names, 2)},
        **_kappa(by_judge),
        "mae_points": accuracy_mae(accs),
        "abstention_rate": abstention_rate(list(per_judge.values())),
        "panel": {"decisions": decisions, "abstentions": panel_abstentions},
        "rule_vs_panel": {
            "metric": rule_metric,
            "compared": compared,
            **disagreements,
            "disagree_rate": (sum(disagreements.values()) / compared) if compared else None,
            "examples": examples,
        }
        if rule_metric == "acc"
        else {"metric": rule_metric, "compared": 0, "note": "rule metric is not a 0/1 accuracy; not compared"},
        "tokens": {
            "prompt": sum(t["prompt_tokens"] for t in tokens.values()),
            "completion": sum(t["completion_tokens"] for t in tokens.values()),
        },
        "cost": sum(costs) if costs else None,
    }
    return judged, result, stats


def _kappa(by_judge: dict[str, list[str | None]]) -> dict[str, Any]:
    k = panel_kappa(by_judge)
    return {"fleiss_kappa": k["fleiss_kappa"], "fleiss_kappa_items": k["n"]}


GROUP_KEYS = ("judge_acc", "acc")  # the metrics categories and groups average, each on its own


def group_results(task_results: dict[str, dict[str, Any]], grouping: Grouping
                  ) -> tuple[dict[str, Any], dict[str, list[str]], dict[str, Any]]:
    """(groups, group_subtasks, categories) for the tasks present, by `core.aggregate` over
    `grouping` (the suite's: `registry.suite_grouping()`): lm-eval's group names are the
    grouping's `category_groups` and `suites`, never re-derived here."""
    aggs = {key: aggregate(metric_scores(task_results, key), grouping) for key in GROUP_KEYS}
    stderrs = {key: {t: r.get(f"{key}_stderr,none") for t, r in task_results.items()} for key in GROUP_KEYS}

    def scores(name: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in GROUP_KEYS:
            weights = aggs[key].weights.get(name)
            out[f"{key},none"] = None if weights is None else sum(w * aggs[key].tasks[t] for t, w in weights.items())
            out[f"{key}_stderr,none"] = None if weights is None else combined_stderr(weights, stderrs[key])
        return out

    def samples(tasks: list[str]) -> int:
        return sum(task_results[t].get("samples", 0) for t in tasks)

    ran = {cat: [t for t in members if t in task_results] for cat, members in grouping.categories.items()}
    ran = {cat: tasks for cat, tasks in ran.items() if tasks}
    groups: dict[str, Any] = {}
    subtasks: dict[str, list[str]] = {}
    for suite, cats in grouping.suites.items():
        members = [g for g, cat in grouping.category_groups.items() if cat in cats and cat in ran]
        if members:
            groups[suite] = {"alias": suite, **scores(suite),
                             "samples": samples([t for g in members for t in ran[grouping.category_groups[g]]])}
            subtasks[suite] = members
    for group, cat in grouping.category_groups.items():
        if cat in ran:
            groups[group] = {"alias": cat, **scores(cat), "samples": samples(ran[cat])}
            subtasks[group] = ran[cat]
    categories = {cat: {**scores(cat), "tasks": len(tasks), "samples": samples(tasks)} for cat, tasks in ran.items()}
    return groups, subtasks, categories


def overall_result(task_results: dict[str, dict[str, Any]], grouping: Grouping) -> dict[str, Any]:
    """The overall scores (mean of the categories that ran), as the leaderboard's overall."""
    out: dict[str, Any] = {}
    for key in GROUP_KEYS:
        agg = aggregate(metric_scores(task_results, key), grouping)
        out[f"{key},none"] = agg.overall
        out[f"{key}_stderr,none"] = (
            combined_stderr(agg.weights[OVERALL], {t: r.get(f"{key}_stderr,none") for t, r in task_results.items()})
            if agg.overall is not None else None
        )
    return out


def suite_stats(per_task: dict[str, dict[str, Any]], panel: PanelConfig) -> dict[str, Any]:
    names = [j.name for j in panel.judges]
    tokens = {n: {"prompt_tokens": 0, "completion_tokens": 0, "calls": 0} for n in names}
    for stats in per_task.values():
        for n in names:
            for k in tokens[n]:
                tokens[n][k] += stats["per_judge"][n][k]
    costs = {n: panel.judges[i].endpoint.cost(tokens[n]["prompt_tokens"], tokens[n]["completion_tokens"]) for i, n in enumerate(names)}
    known = [c for c in costs.values() if c is not None]
    return {
        "mae_points_median": median_mae_across_tasks([s["mae_points"] for s in per_task.values()]),
        "tokens": tokens,
        "cost": {"per_judge": costs, "total": sum(known) if known else None},
        "rule_vs_panel_disagreements": sum(
            s["rule_vs_panel"].get("panel_yes_rule_no", 0) + s["rule_vs_panel"].get("panel_no_rule_yes", 0) for s in per_task.values()
        ),
    }


def results_document(
    run: LoggedRun,
    task_results: dict[str, dict[str, Any]],
    task_stats: dict[str, dict[str, Any]],
    panel: PanelConfig,
) -> dict[str, Any]:
    grouping = suite_grouping()
    groups, subtasks, categories = group_results(task_results, grouping)
    source = run.results or {}
    totals: dict[str, int] = {}
    for t, log in run.tasks.items():
        counts = log.status_counts()  # lm-eval's scoring statuses; absent for runs made before them
        if counts and t in task_results:
            task_results[t]["status"] = counts
            for k, v in counts.items():
                totals[k] = totals.get(k, 0) + v
    doc: dict[str, Any] = {
        "results": task_results,
        "groups": groups,
        "group_subtasks": subtasks,
        "categories": categories,
        "overall": overall_result(task_results, grouping),
        "judge_stats": task_stats,
        "judge_suite": suite_stats(task_stats, panel),
        "panel": panel.public_dict(),
        "source": str(run.directory.resolve()),
        "source_results": str(run.results_path.resolve()) if run.results_path else None,
        "sample_files": {t: ts.samples_path.name for t, ts in run.tasks.items()},
        "setting": run.setting.label,
        "n-samples": {t: {"effective": r["samples"]} for t, r in task_results.items()},
    }
    if totals:
        doc["status"] = totals

    for key in ("config", "model_name", "model_name_sanitized", "date"):
        if key in source:
            doc["source_" + key if key == "date" else key] = source[key]
    return doc
