# advisor: two commands on a fresh machine — `make interview` and `make test`.
# Everything they need is installed here into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: interview test fuzz demo bench clean system-deps

# Best effort, never fatal: HarfBuzz's subsetter makes WeasyPrint embed fonts
# about 1 s faster per memo (docs/performance.md) and future WeasyPrint needs
# it. Installed only where apt-get exists and we are root; skipped elsewhere.
system-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing libharfbuzz-subset0 (faster PDF memos)"; \
	    (DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1 || \
	     (timeout 120 apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1)) || \
	      echo "note: could not install libharfbuzz-subset0; memos render, about 1 s slower"; \
	  else echo "note: libharfbuzz-subset0 not installed; memos render, about 1 s slower"; fi; \
	fi
	@# Debian's Chromium for tests/test_browser.py (advisor serve in a real browser, driven
	@# headless by Playwright's client; never Playwright's own browser download).
	@if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing chromium (the browser test of advisor serve)"; \
	    (DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -qq chromium >/dev/null 2>&1 || \
	     (timeout 120 apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -qq chromium >/dev/null 2>&1)) || \
	      echo "note: could not install chromium; tests/test_browser.py is skipped"; \
	  else echo "note: no chromium; tests/test_browser.py is skipped"; fi; \
	fi

$(STAMP): pyproject.toml
	-@$(MAKE) --no-print-directory system-deps
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

interview: $(STAMP)
	$(BIN)/advisor interview $(FILE)

test: $(STAMP)
	$(BIN)/python -m pytest -n auto

# Mutation fuzzing of the bundled examples for FUZZ_SECONDS (default 600): validate -> score ->
# memo HTML must never end in an internal error (issue 13 item 8). Prints how many cases ran.
FUZZ_SECONDS ?= 600
fuzz: $(STAMP)
	ADVISOR_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest -p no:xdist -p no:cacheprovider -s tests/test_fuzz.py

demo: $(STAMP)
	$(BIN)/advisor score questionnaires/examples --pdf --out out

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
