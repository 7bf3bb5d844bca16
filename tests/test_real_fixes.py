"""What meeting a real checkpoint broke, pinned on faithful fixtures (fast; the real-model tier
in test_real_tier.py runs the same paths on SmolLM2-135M-Instruct itself)."""

from __future__ import annotations

import json

import pytest

from reasoning_suite.errors import UserError

# SmolLM2-135M-Instruct's chat template, verbatim from its tokenizer (no {% generation %} markers,
# its own default system prompt); TRL cannot patch it.
SMOLLM2_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\n"
    "You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def test_template_without_markers_is_trained_on_a_marked_copy_and_kept(tiny_model_dir):
    from transformers import AutoTokenizer
    from trl.chat_template_utils import get_training_chat_template

    from reasoning_suite.trainers.sft_data import resolve_chat_template, tokenize_messages

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    tok.chat_template = SMOLLM2_TEMPLATE
    with pytest.raises(ValueError):
        get_training_chat_template(tok)  # what used to stop the demo at train-ift
    saved, training, how = resolve_chat_template(tok, None, "HuggingFaceTB/SmolLM2-135M-Instruct")
    assert saved == SMOLLM2_TEMPLATE  # the student keeps its own template
    assert "{% generation %}" in training and "added to a copy" in how
    msgs = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello there"},
            {"role": "user", "content": "Again"}, {"role": "assistant", "content": "Hello again"}]
    ids, labels = tokenize_messages(tok, msgs, training)
    trained = tok.decode([t for t in labels if t != -100])
    assert trained == "Hello there<|im_end|>Hello again<|im_end|>"  # both assistant turns, nothing else
    # the system prompt, user turns and role headers are rendered but not trained on
    full = tok.decode(ids)
    assert full.startswith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM")
    assert full == tok.apply_chat_template(msgs, tokenize=False, chat_template=SMOLLM2_TEMPLATE)


def test_marker_patch_refuses_layouts_it_cannot_render_alike():
    from reasoning_suite.trainers.sft_data import add_generation_markers

    # content and end-of-turn in separate expressions: not the one-expression layout
    split = "{% for m in messages %}{{ '<|im_start|>' + m['role'] }}{{ m['content'] }}{{ '<|im_end|>' }}{% endfor %}"
    assert add_generation_markers(split, "<|im_end|>") is None
    # two expressions that render content: ambiguous, refused
    twice = "{{ message['content'] + '<|im_end|>' }}{{ message['content'] + '<|im_end|>' }}"
    assert add_generation_markers(twice, "<|im_end|>") is None
    marked = add_generation_markers(SMOLLM2_TEMPLATE, "<|im_end|>")
    assert marked.count("{% generation %}") == 1 and marked.count("{% endgeneration %}") == 1


def test_chatml_override_says_it_replaces_the_template(tiny_model_dir):
    from transformers import AutoTokenizer

    from reasoning_suite.trainers.sft_data import resolve_chat_template

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    tok.chat_template = SMOLLM2_TEMPLATE
    saved, training, how = resolve_chat_template(tok, "chatml", "x")
    assert saved != SMOLLM2_TEMPLATE and "in place of the student's own" in how


def test_batch_size_auto_becomes_explicit_without_a_gpu(capsys):
    from reasoning_suite.harness_tasks.commands import CPU_BATCH_SIZE, cpu_safe_batch_size

    args = ["--model", "hf", "--batch_size", "auto", "--tasks", "x"]
    assert cpu_safe_batch_size(args, cuda=False) == ["--model", "hf", "--batch_size", CPU_BATCH_SIZE, "--tasks", "x"]
    assert "64 x 8,192 tokens" in capsys.readouterr().err
    assert cpu_safe_batch_size(["--batch_size=auto:4"], cuda=False) == [f"--batch_size={CPU_BATCH_SIZE}"]
    assert cpu_safe_batch_size(args, cuda=True) == args  # a GPU keeps lm-eval's probe
    api = ["--model", "local-completions", "--batch_size", "auto"]
    assert cpu_safe_batch_size(api, cuda=False) == api  # not a local model
    assert cpu_safe_batch_size(["--batch_size", "4"], cuda=False) == ["--batch_size", "4"]


def test_sampling_copy_links_weights_and_samples(tiny_model_dir, tmp_path):
    from reasoning_suite.endpoints.local_server import samples_by_default, sampling_copy

    src = tmp_path / "greedy"
    src.mkdir()
    for f in tiny_model_dir.iterdir():
        (src / f.name).write_bytes(f.read_bytes())
    gen = json.loads((src / "generation_config.json").read_text())
    gen.pop("do_sample", None)
    (src / "generation_config.json").write_text(json.dumps(gen))
    assert not samples_by_default(src)
    copy = sampling_copy(src, tmp_path / "copy")
    assert samples_by_default(copy) and not samples_by_default(src)  # the original is untouched
    assert (copy / "model.safetensors").is_symlink() and (copy / "model.safetensors").resolve() == (src / "model.safetensors")
    assert json.loads((copy / "generation_config.json").read_text())["eos_token_id"] == gen["eos_token_id"]
    assert sampling_copy(src, tmp_path / "copy") == copy  # idempotent
    with pytest.raises(UserError, match="not a local checkpoint"):
        sampling_copy("Org/hub-model", tmp_path / "x")


def test_agreement_is_undefined_without_verdicts():
    from reasoning_suite.judges.stats import abstention_rate, accuracy_mae, agreement_accuracy, judge_accuracy, \
        median_mae_across_tasks, shown

    silent = judge_accuracy([None, None, None])
    assert silent["acc"] == 0.0  # as a scorer it gave no yes
    assert agreement_accuracy(silent) is None  # but it has nothing to agree on
    accs = {"a": agreement_accuracy(silent), "b": agreement_accuracy(judge_accuracy([None, None, None]))}
    mae = accuracy_mae(accs)
    assert mae == {"pairs": {}, "mean": None}  # not 0.0, "perfect agreement"
    assert median_mae_across_tasks([mae, mae])["median"] is None
    assert shown(mae["mean"]) == "undefined" and shown(1.25) == "1.2"
    one = judge_accuracy(["yes", None, "no", "yes"])
    assert accuracy_mae({"a": agreement_accuracy(one), "b": None, "c": agreement_accuracy(judge_accuracy(["no"] * 4))}) \
        == {"pairs": {"a|c": 50.0}, "mean": 50.0}
    assert abstention_rate([silent, one]) == 4 / 7 and abstention_rate([]) is None
