# `make demo` runs the app on a built-in demo site; `make test` runs the tests.
# Both make their own virtual environment in .venv and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DEMO_HOME ?= .demo-home
PYTEST_ARGS ?=

.PHONY: demo test bench soak installer sysdeps sysdeps-test clean

sysdeps:
	@sh installer/system-deps.sh runtime

sysdeps-test:
	@sh installer/system-deps.sh test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

demo: sysdeps $(STAMP)
	$(BIN)/downtime --home $(DEMO_HOME) demo

# As root, a real cups-pdf print queue is set up and the printing tests must use it (not skip).
test: sysdeps-test $(STAMP)
	@sh installer/cups-pdf-queue.sh
	QT_QPA_PLATFORM=offscreen DOWNTIME_REQUIRE_CUPS=$$([ "$$(id -u)" = 0 ] && echo 1 || echo 0) \
		$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The long robustness campaign (power loss, full disks, clock skew, keys, fuzzing): about 15 minutes on 2 cores.
# It ends with a table of trials and failures per attack; `make test` runs the same tests briefly.
soak: sysdeps-test $(STAMP)
	QT_QPA_PLATFORM=offscreen DOWNTIME_SOAK=1 $(BIN)/python -m pytest -q tests/robustness $(PYTEST_ARGS)

bench: sysdeps-test $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run.py

installer: sysdeps $(STAMP)
	$(BIN)/python -m pip install -q 'pyinstaller>=6.10'
	$(BIN)/pyinstaller --noconfirm --log-level ERROR --distpath build/dist --workpath build/work installer/downtime.spec
	sh installer/check-frozen.sh build/dist/downtime/downtime

clean:
	rm -rf $(VENV) $(DEMO_HOME) build dist *.egg-info
