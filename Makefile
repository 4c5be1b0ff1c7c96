# Newsroom: `make run` serves the demo newsroom, `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
# The first Python >= 3.12 found (pyenv's versions included); or PYTHON=...
PYTHON ?= $(shell for c in python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 /usr/local/bin/python3.13 /usr/bin/python3.13 python3; do \
	if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo $$c; break; fi; done)
PY := $(VENV)/bin/python
# Tests and checks run with DEBUG off, as in production; they need some key.
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-insecure-key-for-tests-only-0123456789-abcdefghijklmnopqrstuvwxyz}
DEV_ENV := DEBUG=1

.PHONY: help run dev audit test lint format bench bench-news bench-misses bench-translations lock install install-dev browser-deps varnish-deps cluster-deps test-pgbouncer clean translations gettext-deps messages

help:
	@echo "make run    set up and serve the demo newsroom as readers get it at $(SERVED)"
	@echo "make dev    the same with Django's development server and DEBUG on"
	@echo "make audit  Lighthouse's four scores for the reader pages, served as in production"
	@echo "make test   install test dependencies and run the whole suite"
	@echo "make lint   ruff, import contracts, manage.py check, migrations check"
	@echo "make bench  load-test reader pages against the bare-Django ceiling"
	@echo "make bench-news  the breaking-news scenario: calm against busy"
	@echo "make bench-misses  CPU per page-cache miss, rendered fragments reused or not"
	@echo "make bench-translations  the front and section pages' cost of one version per story"
	@echo "make lock   re-resolve requirements/*.txt from pyproject.toml"
	@echo "make messages  update the catalogues (locale/) from the code, then compile them"

$(PY):
	@if [ -z "$(PYTHON)" ]; then echo "Python >= 3.12 not found; run with PYTHON=/path/to/python3.13" >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements/base.txt
	@touch $@

$(VENV)/.installed-dev: requirements/dev.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	@touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base translations
install-dev: $(VENV)/.installed-dev translations

# Translations (i18n): the catalogues (locale/<language>/LC_MESSAGES/*.po) are
# committed; their compiled .mo files are not (git-ignored) and are built here,
# by every target that installs, so a fresh clone speaks Korean before
# `make run` or `make test`. msgfmt is GNU gettext's (Debian's gettext).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
translations: $(MO_FILES)

locale/%.mo: locale/%.po | gettext-deps
	@msgfmt --check-format -o $@.tmp $< && mv $@.tmp $@

gettext-deps:
	@if ! command -v msgfmt >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's gettext for the translations"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
		else echo "gettext not installed (apt-get install gettext): no translations compiled" >&2; exit 1; fi; \
	fi

# make messages: the catalogues brought up to date with the code, both domains
# (django: templates and Python; djangojs: static/), for Korean and English.
# New or changed strings arrive untranslated (or fuzzy): translate them, then
# `make translations`; tests/i18n/test_catalogue.py lists what is left.
MESSAGES_IGNORE := --ignore ".venv/*" --ignore "node_modules/*" --ignore "tests/*" \
	--ignore "bench/*" --ignore "artifacts/*" --ignore "staticfiles/*" \
	--ignore "media/*" --ignore "data/*"
messages: install-dev gettext-deps
	$(TEST_ENV) $(PY) manage.py makemessages -l ko -l en --no-obsolete --no-location $(MESSAGES_IGNORE)
	$(TEST_ENV) $(PY) manage.py makemessages -d djangojs -l ko -l en --no-obsolete --no-location $(MESSAGES_IGNORE)
	@$(MAKE) --no-print-directory translations

# make run serves the site as readers get it: DEBUG off (our 404 and 500
# pages), collected static files, uploads served by the app, the page cache in
# its embedded store, gunicorn. The secret key is made once and kept in
# DATA_DIR (git-ignored); SECRET_KEY and ALLOWED_HOSTS from the environment win.
RUN_DATA_DIR := $(or $(DATA_DIR),data)
SECRET_KEY_FILE := $(RUN_DATA_DIR)/secret-key.txt
# IPv6 addresses are bracketed in a URL and a bind address.
SERVED_HOST = $(if $(findstring :,$(HOST)),[$(HOST)],$(HOST))
SERVED = http://$(SERVED_HOST):$(PORT)/
# The local demo's admin signs in with a password alone until it sets up a
# second factor (STAFF_2FA=optional); production's default is "required".
# Passkeys work at http://localhost:$(PORT)/ (WebAuthn refuses IP addresses).
RUN_ENV = DEBUG=0 SECRET_KEY="$${SECRET_KEY:-$$(cat $(SECRET_KEY_FILE))}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1],$(SERVED_HOST)}" \
	STAFF_2FA="$${STAFF_2FA:-optional}" \
	OTP_WEBAUTHN_ALLOWED_ORIGINS="$${OTP_WEBAUTHN_ALLOWED_ORIGINS:-http://localhost:$(PORT)}"

$(SECRET_KEY_FILE): | $(PY)
	@mkdir -p $(@D)
	@umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@.tmp && mv $@.tmp $@

# ensure_local_admin runs with DEBUG on (it refuses otherwise), so it never
# makes an account on a real deployment by mistake.
run: install $(SECRET_KEY_FILE)
	@echo "Collecting static files, migrating $(RUN_DATA_DIR)/, loading the demo newsroom"
	@$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v0
	@$(RUN_ENV) $(PY) manage.py migrate --noinput -v0
	@$(RUN_ENV) $(PY) manage.py load_demo
	@$(RUN_ENV) DEBUG=1 $(PY) manage.py ensure_local_admin --url $(SERVED)admin/ >/dev/null
	@echo "Serving $(SERVED)  Admin: $(SERVED)admin/ user admin, password in $(RUN_DATA_DIR)/local-admin.txt"
	@$(RUN_ENV) exec $(VENV)/bin/gunicorn --config deploy/gunicorn.conf.py newsroom.wsgi \
		--workers 2 --timeout 30 \
		--bind $(SERVED_HOST):$(PORT) --access-logfile - --log-level warning

# make dev: Django's development server with DEBUG on (tracebacks, reloading).
dev: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_demo
	$(DEV_ENV) $(PY) manage.py ensure_local_admin --url $(SERVED)admin/
	$(DEV_ENV) $(PY) manage.py runserver $(SERVED_HOST):$(PORT)

# The browser tests need Debian's chromium (Playwright cannot download browsers
# here) and axe-core from npm; install them when missing and we can.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "chromium not installed: browser tests will be skipped (apt-get install chromium)"; fi; \
	fi
	@if ! fc-list 2>/dev/null | grep -q "Noto Serif CJK"; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's Noto CJK fonts (Korean text in the browser tests)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; \
		else echo "fonts-noto-cjk not installed: Korean text renders as boxes in browser tests"; fi; \
	fi
	@if ! command -v java >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's Java for the Nu Html Checker"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
		else echo "java not installed: the HTML checker test will fail (apt-get install default-jre-headless)"; fi; \
	fi
	@if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -x node_modules/.bin/lighthouse ] \
		|| [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; \
		else echo "npm not found: browser tests will be skipped"; fi; \
	fi

# The Varnish test (tests/pagecache/test_varnish.py) starts Debian's varnishd with
# the xkey vmod (varnish-modules) in front of gunicorn; install them when missing.
varnish-deps:
	@if [ ! -x /usr/sbin/varnishd ] || ! ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's varnish and varnish-modules for the Varnish test"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish varnish-modules >/dev/null; \
		else echo "varnish not installed: the Varnish test will be skipped (apt-get install varnish varnish-modules)"; fi; \
	fi

# The tests of several machines start their own PgBouncer (tests/replicas),
# Redis Sentinels and a load balancer (haproxy); install Debian's when missing.
cluster-deps:
	@missing=""; \
	command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || missing="$$missing pgbouncer"; \
	command -v redis-sentinel >/dev/null || missing="$$missing redis-sentinel"; \
	command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing="$$missing haproxy"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's$$missing for the tests of several machines"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
			systemctl disable --now pgbouncer haproxy redis-sentinel >/dev/null 2>&1 || true; \
			for service in pgbouncer haproxy redis-sentinel; do service $$service stop >/dev/null 2>&1 || true; done; \
		else echo "Not installed:$$missing (apt-get install$$missing): their tests will fail"; fi; \
	fi

# The benchmark (bench/pages.py): datasets are built once in data/bench/ and in
# PostgreSQL databases newsroom_bench_<stories>, then reused. Quick variant:
# make bench BENCH_STORIES=1000 BENCH_DURATION=3
BENCH_STORIES ?= 1000,100000
BENCH_MODES ?= sqlite,pg
BENCH_DURATION ?= 10
BENCH_CONNECTIONS ?= 16
bench: install
	@if ! command -v wrk >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's wrk for the benchmark"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null || true; \
		else echo "wrk not installed: using the Python load generator"; fi; \
	fi
	$(PY) bench/pages.py --stories $(BENCH_STORIES) --modes $(BENCH_MODES) \
		--duration $(BENCH_DURATION) --connections $(BENCH_CONNECTIONS) $(BENCH_ARGS)

# The breaking-news scenario (bench/breaking_news.py): calm, then comments and
# edits every few seconds, then every second, on a warm long-tail mix; the
# "+varnish" modes put Varnish with deploy/varnish/newsroom.vcl in front.
NEWS_MODES ?= pg,sqlite,pg+varnish,sqlite+varnish
bench-news: install varnish-deps
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) bench/breaking_news.py --modes $(NEWS_MODES) $(BENCH_ARGS)

# CPU per page-cache miss (bench/misses.py), rendered fragments reused and not,
# on the same datasets as make bench. Quick: make bench-misses BENCH_STORIES=1000
BENCH_MISSES_MODES ?= sqlite
bench-misses: install
	$(PY) bench/misses.py --stories $(BENCH_STORIES) --modes $(BENCH_MISSES_MODES) $(BENCH_ARGS)

# The front and section pages with and without one_version_each(), in one run
# (bench/translations.py), on a dataset with one story in ten translated.
BENCH_TRANSLATIONS_STORIES ?= 10000
BENCH_TRANSLATIONS_MODES ?= sqlite,pg
bench-translations: install
	$(PY) bench/translations.py --stories $(BENCH_TRANSLATIONS_STORIES) --modes $(BENCH_TRANSLATIONS_MODES) $(BENCH_ARGS)

# Lighthouse's four scores (mobile) for the front page, a story, a tag, an
# author and search, served as make run serves them (bench/lighthouse.py); it
# fails below 100. The browser tests (tests/browser/test_audits.py) run the same.
audit: install-dev browser-deps
	$(PY) bench/lighthouse.py $(AUDIT_ARGS)

# pytest exits 5 when it collects nothing: that is a failure here, not a pass.
test: install-dev browser-deps varnish-deps cluster-deps
	@$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

# The whole suite once more, through a PgBouncer in transaction pooling
# (tests/replicas/run_through_pgbouncer.py); needs the machine's PostgreSQL.
test-pgbouncer: install-dev browser-deps varnish-deps cluster-deps
	@$(TEST_ENV) $(PY) -m tests.replicas.run_through_pgbouncer $(PYTEST_ARGS)

# lint-imports checks the import contracts in pyproject.toml ([tool.importlinter]);
# --no-cache: the graph builds in a second and leaves no cache folder behind.
lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo
	$(TEST_ENV) $(PY) manage.py check --fail-level WARNING
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

format: install-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

lock:
	uv pip compile pyproject.toml --universal --python-version 3.12 --generate-hashes -q -o requirements/base.txt
	uv pip compile pyproject.toml --group dev --universal --python-version 3.12 --generate-hashes -q -o requirements/dev.txt

clean:
	rm -rf $(VENV) staticfiles
