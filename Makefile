# Fresh-machine entry points: `make demo` and `make test` each create .venv and install svag first.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
EXTRAS ?= all,vlm,test,bench
STAMP  := $(VENV)/.installed

.PHONY: install test demo bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt -e ".[$(EXTRAS)]"
	$(PIP) install -q --no-deps trackeval==1.3.0
	touch $@

install: $(STAMP)

# the browser tests of `svag report` drive Debian's chromium (playwright, no browser download)
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

test: $(STAMP) $(CHROMIUM)
	$(PY) -m pytest -q tests

demo: $(STAMP)
	$(VENV)/bin/svag demo

bench: $(STAMP)
	$(PY) benchmarks/bench_mot_vs_trackeval.py
	$(PY) benchmarks/bench_svag_eval.py
	$(PY) benchmarks/bench_synth.py
	$(PY) benchmarks/bench_tracking.py
	$(PY) benchmarks/bench_grounding.py
	$(PY) benchmarks/bench_query_parsing.py
	$(PY) benchmarks/bench_learned.py
	$(PY) benchmarks/bench_grounding_limits.py
	$(PY) benchmarks/bench_memory_long.py

clean:
	rm -rf $(VENV) build src/*.egg-info
