# Lotse: two commands. `make run` starts the bot, `make test` runs the whole check loop.
# Both create the virtual environment on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench catalogs clean postgres

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot

# The storage tests run on SQLite and on a PostgreSQL server they start themselves.
postgres:
	bash .ci/postgres

# pytest runs on every core (pytest-xdist; the suite is CPU-bound) and names its slowest tests.
# Its temporary folders (a real SQLite file per test, copies of knowledge/ and locales/, the
# PostgreSQL cluster) go to the RAM disk where there is one: the same files and locks, without
# the waits for a shared disk (creating and deleting a database: 20 ms there, 35-60 ms on /tmp).
TEST_TMPDIR := $(shell test -d /dev/shm -a -w /dev/shm && echo /dev/shm)
test: $(STAMP) postgres
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR)) $(BIN)/pytest -n auto --dist worksteal --durations=15
	$(BIN)/python -m bot validate

bench: $(STAMP) postgres
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

# Translator loop: pull texts from code and YAML into the templates, merge into every catalog.
catalogs: $(STAMP)
	$(BIN)/pybabel extract -F locales/babel-messages.cfg -k t -k plural:1,2 --no-location \
		--sort-output -c TRANSLATORS: -w 99 -o locales/messages.pot .
	$(BIN)/pybabel extract -F locales/babel-knowledge.cfg --sort-output --no-location \
		-w 99 -o locales/knowledge.pot .
	for d in locales/*/; do lang=$$(basename $$d); \
		for dom in messages knowledge; do \
			if [ -f $$d/LC_MESSAGES/$$dom.po ]; then \
				$(BIN)/pybabel update -i locales/$$dom.pot -d locales -D $$dom -l $$lang --previous -w 99; \
			fi; done; done
