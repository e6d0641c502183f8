# laggroam -- portable Makefile: GNU make and BSD make (bmake) alike.
# Only plain variables, file targets and shell commands; no GNU or BSD extensions.

PYTHON?=	python3
PREFIX?=	/usr/local
DESTDIR?=
VENV=		.venv
VBIN=		$(VENV)/bin
STAMP=		$(VENV)/.installed
LINTED=		laggroam sim/laggroam_sim tests bench hooks/link hooks/ifnet hooks/power

all: test

$(STAMP): pyproject.toml sim/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VBIN)/python -m pip install --quiet --upgrade pip
	$(VBIN)/python -m pip install --quiet -e '.[dev]' -e ./sim
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(VBIN)/ruff check $(LINTED)
	$(VBIN)/ruff format --check $(LINTED)
	$(VBIN)/mypy --strict laggroam sim/laggroam_sim bench

man-lint:
	@if command -v mandoc >/dev/null 2>&1; then \
		mandoc -Tlint -W warning man/*.[0-9] && echo "mandoc: man pages lint clean"; \
	else \
		echo "mandoc not installed: man page lint NOT run (apt-get install mandoc)"; \
	fi

make-lint:
	@if command -v bmake >/dev/null 2>&1; then \
		bmake -n -f Makefile venv lint man-lint unit demo bench fuzz install clean >/dev/null && \
		echo "bmake: Makefile parses and plans every target"; \
	else \
		echo "bmake not installed: BSD make portability check NOT run (apt-get install bmake)"; \
	fi

unit: $(STAMP)
	$(VBIN)/python -m pytest -q

test: lint man-lint make-lint unit

demo: $(STAMP)
	$(VBIN)/laggroam-sim demo

bench: $(STAMP)
	$(VBIN)/python bench/run.py

fuzz: $(STAMP)
	LAGGROAM_FUZZ_EXAMPLES=100000 $(VBIN)/python -m pytest -q tests/reliability -k fuzz

install: $(STAMP)
	$(VBIN)/python -m laggroam.admin.install --prefix "$(PREFIX)" --destdir "$(DESTDIR)"

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

.PHONY: all venv lint man-lint make-lint unit test demo bench fuzz install clean
