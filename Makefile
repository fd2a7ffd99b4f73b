# 同心 Tongxin — developer entry points.
#
#   make run     set everything up (first run) and serve http://127.0.0.1:$(PORT) with demo data
#   make test    lint (ruff, import boundaries), test on SQLite and on a throwaway PostgreSQL, then browser tests
#
# Needs: Python >= 3.11, Node.js/npm, Debian packages (postgresql-15, chromium,
# fonts-noto-cjk; `make test-deps` installs the missing ones). Repeated runs are fast:
# pip and npm steps only rerun when pyproject.toml / package-lock.json change.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

PYTHON   ?= python3
PORT     ?= 8000
PG_BIN   ?= /usr/lib/postgresql/15/bin
PYTEST_ARGS ?=

VENV     := .venv
PY       := $(VENV)/bin/python
BUILD    := build
VENDOR_STAMP := static/vendor/.stamp
NPM_STAMP    := node_modules/.stamp-npm-ci

export PG_BIN
export TEST_OUTPUT_DIR ?= $(CURDIR)/$(BUILD)/test-output
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1

# Run Django with the development settings unless the caller chose otherwise.
MANAGE := DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-tongxin.settings.dev} $(PY) manage.py

# Apt packages `make test` needs (checked with dpkg -s, installed only when missing).
TEST_APT_PACKAGES := chromium fonts-noto-cjk postgresql-15

# Install Debian packages that are missing; uses sudo only when not root and sudo exists.
define apt_ensure
missing=""; \
for p in $(1); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" -eq 0 ]; then sudo=""; \
  elif command -v sudo >/dev/null; then sudo="sudo"; \
  else echo "缺少 Debian 软件包 / missing Debian packages:$$missing (需要 root / run as root)" >&2; exit 1; fi; \
  echo "apt-get install$$missing"; \
  $$sudo apt-get update -q; \
  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
fi
endef

# Requirements straight from pyproject.toml (the project is not an installable package:
# [tool.setuptools] packages = []), so pip needs no build backend and leaves no egg-info.
define requirements
$(PY) -c 'import sys, tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] if sys.argv[1] == "main" else p["optional-dependencies"][sys.argv[1]]))' $(1)
endef

.PHONY: help install venv vendor static migrate demo run test-deps test lint \
        test-sqlite test-postgres test-browser check-deploy pg-start pg-stop clean distclean

help:
	@echo "make run          安装依赖、迁移数据库、载入演示数据并启动 http://127.0.0.1:$(PORT)"
	@echo "make test         ruff + 依赖边界检查（lint-imports）+ pytest（SQLite、PostgreSQL）+ 浏览器测试"
	@echo "make install      只做安装（venv、前端资源、collectstatic、migrate、演示数据）"
	@echo "make test-deps    测试依赖（pip test extras、chromium、fonts-noto-cjk、postgresql-15）"
	@echo "make pg-start / pg-stop   启停测试用 PostgreSQL（build/pg，仅 unix socket）"
	@echo "make clean        删除 build/、static/vendor/、node_modules/；distclean 另删 .venv 与 var/"

# --- Python ---------------------------------------------------------------------------

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "需要 Python >= 3.11 / Python >= 3.11 required: '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." >&2; \
	  echo "例如 / e.g.: make PYTHON=python3.12 run" >&2; exit 1; }
	@if ! $(PYTHON) -c 'import ensurepip' 2>/dev/null; then $(call apt_ensure,python3-venv); fi
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-main: pyproject.toml | $(PY)
	$(call requirements,main) > $(VENV)/requirements-main.txt
	$(PY) -m pip install -q -r $(VENV)/requirements-main.txt
	@touch $@

$(VENV)/.stamp-test: pyproject.toml $(VENV)/.stamp-main
	$(call requirements,test) > $(VENV)/requirements-test.txt
	$(PY) -m pip install -q -r $(VENV)/requirements-test.txt
	@touch $@

venv: $(VENV)/.stamp-main

# --- Front-end assets (npm registry, lock file, served locally) --------------------------

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(VENDOR_STAMP): $(NPM_STAMP) scripts/vendor.mjs
	npm run --silent vendor
	@touch $@

vendor: $(VENDOR_STAMP)

# Always rerun: cheap, and static/ is edited by hand. WhiteNoise serves STATIC_ROOT.
static: venv vendor
	$(MANAGE) collectstatic --noinput -v0

# --- Local database and demo data --------------------------------------------------------

migrate: venv
	$(MANAGE) migrate --noinput -v1

demo: migrate
	$(MANAGE) load_demo --if-empty

install: venv vendor static migrate demo

# --- Serve ------------------------------------------------------------------------------

define LOGINS
同心 · 演示账号（密码均为 Tongxin#2026）
  用户名          角色
  county_staff    统战部干部（全县）
  town01          镇统战委员（第一个镇）
  town02          镇统战委员（另一个镇）
  village0101     村统战联络员
  leader          领导（只读，全县）
  official01      结对联系干部（仅本人的结对与联系记录）
  member01        统战成员本人（本人自助：手机上查看和申报本人信息、报名活动）
  dept_leader     部领导（授权审批：批准安全管理员提出的业务角色授权）
  sysadmin        系统管理员
  secadmin        安全管理员
  auditor         审计管理员
endef
export LOGINS

# The task worker runs in the background and is stopped when the server exits (Ctrl-C).
# DEBUG is off in the dev settings: static files come from STATIC_ROOT through WhiteNoise
# (collected by `make static`); --insecure also serves edits in static/ without a rerun.
run: install
	@$(MANAGE) db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null || true; wait $$worker 2>/dev/null || true' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	echo; echo "$$LOGINS"; echo; \
	echo "  地址 / URL:  http://127.0.0.1:$(PORT)/   （Ctrl-C 停止 / to stop）"; echo; \
	$(MANAGE) runserver 127.0.0.1:$(PORT) --noreload --insecure

# --- Tests ------------------------------------------------------------------------------

test-deps: $(VENV)/.stamp-test
	@$(call apt_ensure,$(TEST_APT_PACKAGES))

# ruff, then the import boundaries of pyproject.toml's [tool.importlinter] (no cache left in the tree).
lint: $(VENV)/.stamp-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

# Production settings must pass `check --deploy` and build the hashed, compressed static
# files (catches stylesheets that reference missing files). Dummy secrets; no DB access.
check-deploy: venv vendor
	@rm -rf $(BUILD)/deploy-check
	DJANGO_SETTINGS_MODULE=tongxin.settings.production TONGXIN_VAR_DIR=$(CURDIR)/$(BUILD)/deploy-check \
	SECRET_KEY=deploy-check-$$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n') \
	FIELD_ENCRYPTION_KEY=$$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n') ALLOWED_HOSTS=tongxin.example \
	DATABASE_URL=postgres://tongxin@localhost/tongxin \
	bash -c '$(PY) manage.py check --deploy --fail-level WARNING && $(PY) manage.py collectstatic --noinput -v0'
	@rm -rf $(BUILD)/deploy-check

# pytest exits 5 when it collects no tests: that fails the build (never masked), with workers too.
PYTEST := env -u DATABASE_URL $(VENV)/bin/pytest $(PYTEST_ARGS)

# The SQLite and PostgreSQL runs spread over TEST_WORKERS processes (pytest-xdist; auto = one per CPU),
# each with its own test database (test_tongxin_gw0, …). TEST_WORKERS=0 runs in this process. Browser tests
# stay serial. xdist's default `load` hands each worker its tests in pytest-django's order, transactional
# ones last: their flush empties the tables, the rows seeded by migrations (categories) included. `loadscope`
# breaks that: it sends a module as a whole, so its transactional test ran before later tests of its worker.
TEST_WORKERS ?= auto
PARALLEL := -n $(TEST_WORKERS) --dist load

test-sqlite: test-deps vendor
	@mkdir -p $(TEST_OUTPUT_DIR)
	$(PYTEST) $(PARALLEL) -m "not browser" --junitxml=$(TEST_OUTPUT_DIR)/junit-sqlite.xml

# A throwaway cluster under build/pg on a unix socket only; stopped even when tests fail.
test-postgres: test-deps vendor
	@mkdir -p $(TEST_OUTPUT_DIR)
	scripts/pg.sh run $(VENV)/bin/pytest $(PYTEST_ARGS) $(PARALLEL) -m "not browser" \
	  --junitxml=$(TEST_OUTPUT_DIR)/junit-postgres.xml

test-browser: test-deps vendor
	@mkdir -p $(TEST_OUTPUT_DIR)
	TONGXIN_TEST_DB_FILE=$(CURDIR)/$(BUILD)/test-browser.sqlite3 \
	  $(PYTEST) -m browser --junitxml=$(TEST_OUTPUT_DIR)/junit-browser.xml

# Sequential on purpose (also under make -j): each step only after the previous passed.
test: test-deps vendor
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory check-deploy
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-browser
	@echo "make test: 全部通过 / all passed (output in $(TEST_OUTPUT_DIR))"

pg-start: test-deps
	@scripts/pg.sh start

pg-stop:
	@scripts/pg.sh stop

# --- Cleaning ---------------------------------------------------------------------------

clean:
	-scripts/pg.sh destroy 2>/dev/null
	rm -rf $(BUILD) static/vendor node_modules
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

# Also the virtualenv and var/ (local SQLite database, uploaded files, generated keys).
distclean: clean
	rm -rf $(VENV) var
