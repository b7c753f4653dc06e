# The platform's two commands are `make demo` and `make test`; see README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
EFH := $(BIN)/efh
DEMO_CHILDREN ?= 5000
DEMO_SEED ?= 2024
DEMO_DIR := var/demo/borough-$(DEMO_CHILDREN)-$(DEMO_SEED)
FRONTEND_SOURCES := $(shell find src/efh/web/assets -type f 2>/dev/null)

.PHONY: demo test pytest check bench setup data serve clean

demo: setup data
	@$(EFH) demo_accounts
	@echo "Serving http://127.0.0.1:8000 (Ctrl-C to stop)"
	bin/serve $(BIN)/gunicorn --config python:efh.config.gunicorn efh.config.wsgi

test: setup data pytest

# The suite alone, against DATABASE_URL (SQLite under var/ when unset).
pytest:
	$(BIN)/pytest

check: $(VENV)/.synced
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/run.py
	$(BIN)/python bench/linkage.py
	$(BIN)/python bench/casework.py
	$(BIN)/python bench/intelligence.py
	$(BIN)/python bench/network.py
	$(BIN)/python bench/hotspots.py var/bench/borough-60000-2024-x1 var/bench/borough-60000-2024-x5.7

# --- set-up (every step is skipped or a no-op when already done) --------------------------
setup: $(VENV)/.synced var/frontend/.built var/static/staticfiles.json
	$(BIN)/python -m compileall -q src
	$(EFH) migrate --noinput -v 0
	$(EFH) load_wards -v 0
	$(EFH) demo_accounts -v 0

data: $(DEMO_DIR)/truth/manifest.json
	$(EFH) import $(DEMO_DIR)
	$(EFH) link
	$(EFH) refresh
	$(EFH) synth_casework --seed $(DEMO_SEED) --if-missing

$(DEMO_DIR)/truth/manifest.json: $(VENV)/.synced
	rm -rf $(DEMO_DIR)
	$(EFH) synth --children $(DEMO_CHILDREN) --seed $(DEMO_SEED) --out $(DEMO_DIR)

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.synced: pyproject.toml uv.lock | $(BIN)/uv
	$(BIN)/uv sync --frozen --compile-bytecode --python $(BIN)/python
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

var/frontend/.built: node_modules/.installed $(FRONTEND_SOURCES)
	npm run build
	touch $@

# The static files WhiteNoise serves (STATIC_ROOT): hashed names, compressed.
var/static/staticfiles.json: $(VENV)/.synced var/frontend/.built
	$(EFH) collectstatic --noinput --clear -v 0

clean:
	rm -rf $(VENV) node_modules var
