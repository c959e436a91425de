# satupintu — the two commands a newcomer needs are `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-e2e lint typecheck pytest bench messages clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)  ## create .venv and install the locked dependencies

run: install  ## migrate, load reference data once, serve on http://$(HOST):$(PORT) with a worker
	$(BIN)/satupintu manage migrate --noinput
	$(BIN)/satupintu import-regions --if-empty
	$(BIN)/satupintu import-catalog --if-empty
	$(BIN)/satupintu import-holidays
	$(BIN)/satupintu import-online-services
	$(BIN)/satupintu keys init
	$(BIN)/satupintu demo-accounts
	$(BIN)/satupintu import-population --if-empty
	$(BIN)/satupintu exchange setup-demo --base-url http://$(HOST):$(PORT)
	@echo "satupintu: serving on http://$(HOST):$(PORT) (Ctrl+C stops both processes)"
	@$(BIN)/satupintu worker & WORKER=$$!; \
	  trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	  SATUPINTU_PUBLIC_URL=$${SATUPINTU_PUBLIC_URL:-http://$(HOST):$(PORT)} \
	  SATUPINTU_EXCHANGE_INTROSPECTION_URL=$${SATUPINTU_EXCHANGE_INTROSPECTION_URL:-http://$(HOST):$(PORT)/o/introspect/} \
	  SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_ID=$${SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_ID:-satupintu-gateway} \
	  SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_SECRET_FILE=$${SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_SECRET_FILE:-$${SATUPINTU_VAR_DIR:-var}/keys/exchange-introspection.secret} \
	  $(BIN)/satupintu serve --bind $(HOST):$(PORT)

lint: install  ## ruff
	$(BIN)/ruff check src tests bench

typecheck: install  ## mypy with django-stubs
	$(BIN)/mypy src

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: install  ## lint, types, migrations check and the whole suite (SQLite; PostgreSQL with DATABASE_URL)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src
	$(BIN)/satupintu manage makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test-e2e: install node_modules/.installed  ## browser journeys (needs Debian chromium); PostgreSQL with DATABASE_URL
	$(BIN)/pytest -m e2e tests/e2e $(PYTEST_ARGS)

bench: install  ## benchmarks: prints tables with ratios against an in-run baseline
	$(BIN)/python bench/run.py $(BENCH_ARGS)

messages: install  ## refresh each app's Indonesian catalogue and compile it (needs gettext)
	@for app in src/satupintu/*/locale; do \
	  d=$$(dirname $$app); echo "== $$d"; \
	  (cd $$d && SATUPINTU_VAR_DIR=$(CURDIR)/var $(CURDIR)/$(BIN)/django-admin makemessages -l id --no-obsolete --no-location \
	     --settings=satupintu.config.settings && \
	   SATUPINTU_VAR_DIR=$(CURDIR)/var $(CURDIR)/$(BIN)/django-admin compilemessages --settings=satupintu.config.settings) || exit 1; \
	done

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
