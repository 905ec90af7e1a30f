# The coach's two set-up commands: `make run` and `make test`. Both build .venv from
# nothing (Python 3.10, pinned by requirements.lock) and train only when inputs change.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY310 ?= $(shell command -v python3.10 2>/dev/null || ls -d $(HOME)/.pyenv/versions/3.10.*/bin/python3.10 2>/dev/null | tail -n 1)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)
# The web chat widget (rasa-webchat, pinned by bot/web/package-lock.json), served from our own server.
WEB := bot/web
NPM_STAMP := $(WEB)/node_modules/.installed-$(shell cksum < $(WEB)/package-lock.json | cut -d' ' -f1)
CHROMIUM := /usr/bin/chromium
NGINX := /usr/sbin/nginx
SUDO := $(shell test "$$(id -u)" = 0 || echo sudo)
MODEL := models/coach.tar.gz
TRAIN_INPUTS := config.yml domain.yml $(wildcard data/*.yml) $(shell find bot/nlu -name '*.py' 2>/dev/null)

export RASA_PORT ?= 5005
export ACTION_PORT ?= 5055
export WEB_PORT ?= 8080
export DATABASE_URL ?= sqlite:///$(CURDIR)/data/db/coach.sqlite3
export REDIS_URL ?=
export PYTHONPATH := $(CURDIR)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help install browser nginx train run shell test unit validate story-test eval eval-seeds bench profile profile-load nudge-once clean audit scale-test

help:
	@echo "make run    - set up, train if needed, serve the coach (web: http://localhost:$(WEB_PORT)/)"
	@echo "make test   - set up and run every test"
	@echo "make scale-test - two Rasa instances behind nginx on PostgreSQL + Redis (deploy/README.md)"
	@echo "make shell  - chat in the terminal"
	@echo "make nudge-once [NOW=2026-12-01T14:00:30Z] - send the nudges due at that instant (cron, tests)"
	@echo "make eval   - intent F1, safety and entity figures on held-out sets"
	@echo "make eval-seeds - the same for three trainings from scratch with different seeds"
	@echo "make bench  - the coach against the stock Rasa assistant (BENCH_ARGS=\"--quick --skip-train\")"
	@echo "make profile / make profile-load - where a turn's time goes (sequential / under load, py-spy)"
	@echo "make audit  - known vulnerabilities in the pinned Python and npm packages (network; see AUDIT.md)"

$(STAMP): requirements.lock
	@test -n "$(PY310)" || { echo "Python 3.10 is required (e.g. 'pyenv install 3.10.13')." >&2; exit 1; }
	@test -x $(BIN)/python || $(PY310) -m venv $(VENV)
	@echo "Installing pinned dependencies into $(VENV) (first time: a few minutes)..."
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-* && touch $@

$(NPM_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js and npm are required for the web chat widget." >&2; exit 1; }
	cd $(WEB) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@rm -f $(WEB)/node_modules/.installed-* && touch $@

install: $(STAMP) $(NPM_STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
# If it cannot be installed, tests/test_web_browser.py skips (fails under REQUIRE_SERVICES=1).
browser:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		chromium chromium-driver; } || echo "warning: could not install chromium; the browser tests will skip" >&2

# Debian's nginx for the scale-out test (bot/scale.py runs it in the foreground as an unprivileged
# master under a temporary prefix: the package's own service is never used). If it cannot be
# installed, tests/test_scale_out.py skips (fails under REQUIRE_SERVICES=1).
nginx:
	@test -x $(NGINX) || command -v nginx >/dev/null || { $(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		nginx; } || echo "warning: could not install nginx; the scale-out test will skip" >&2

$(MODEL): $(STAMP) $(TRAIN_INPUTS)
	$(BIN)/rasa train --config config.yml --domain domain.yml --data data \
		--out models --fixed-model-name coach
	@touch $@

train: $(MODEL)

run: $(STAMP) $(NPM_STAMP)
	$(BIN)/python -m bot.serve

# Sends, once, every nudge due at NOW (ISO 8601, Z or an offset; no offset = UTC; unset = now).
# Rasa must be running (make run) to render them; several at once still send each nudge once.
nudge-once: $(STAMP)
	$(BIN)/python -m bot.nudges.scheduler --once $(if $(NOW),--now '$(NOW)')

shell: $(MODEL)
	$(BIN)/python -m bot.serve --shell

validate: $(STAMP)
	$(BIN)/rasa data validate --domain domain.yml --data data --config config.yml

unit: $(MODEL) $(NPM_STAMP) browser nginx
	$(BIN)/python -m pytest -q tests

# Two Rasa instances, one action server and the web page behind nginx, on the local PostgreSQL
# (TEST_DATABASE_URL) and Redis (TEST_REDIS_URL): brought up and torn down by the test (~2 min).
# `make test` runs it too (tests/test_scale_out.py is in tests/).
scale-test: $(MODEL) $(NPM_STAMP) nginx
	$(BIN)/python -m pytest -q tests/test_scale_out.py

story-test: $(MODEL)
	$(BIN)/rasa test core --e2e --model $(MODEL) --stories tests/test_stories.yml \
		--fail-on-prediction-errors --out results/stories

test: validate unit story-test

eval: $(MODEL)
	$(BIN)/python -m scripts.evaluate

# Three trainings from scratch with different seeds, each scored like `make eval` (~2 min).
eval-seeds: $(STAMP)
	$(BIN)/python -m scripts.seeds

# The coach against `rasa init`'s stock assistant (bench/compare.py: training from scratch,
# start-up, 1 and 20 users over REST, memory, a year of history; ~5 min on 2 cores).
# BENCH_ARGS="--quick --skip-train" for a short run on models/coach.tar.gz.
bench: $(STAMP)
	$(BIN)/python -m bench.compare $(BENCH_ARGS)
	$(BIN)/python -m bench.parsing_speed

# Where a turn's time goes: in-process timing of each part of sequential turns (bench/profile_turns.py),
# and py-spy sampling both servers under the 20-user load (bench/profile_load.py). py-spy is a
# profiling tool, not a dependency of the coach: it goes into .venv/tools.
PY_SPY_VERSION := 0.4.3
profile: $(MODEL)
	$(BIN)/python -m bench.profile_turns

profile-load: $(MODEL)
	@test -x $(VENV)/tools/bin/py-spy || $(BIN)/python -m pip install --quiet --disable-pip-version-check \
		--target $(VENV)/tools py-spy==$(PY_SPY_VERSION)
	$(BIN)/python -m bench.profile_load --top 0

# Known vulnerabilities in requirements.lock (pip-audit) and bot/web/package-lock.json (npm audit).
# Needs the network; not part of `make test`. pip-audit has its own venv (requirements-audit.lock:
# it needs a newer `packaging` than Rasa 3.6 allows) and reads the lock file, not an environment
# (--no-deps: every line is pinned; --disable-pip: nothing is installed to resolve it). Findings
# whose id is in AUDIT.md's "Accepted findings" section are ignored; a new finding, or a package
# the service could not look up, fails.
AUDIT_VENV := $(VENV)/audit
AUDIT_STAMP := $(AUDIT_VENV)/.installed-$(shell cksum < requirements-audit.lock | cut -d' ' -f1)
AUDIT_IDS = $(shell sed -n '/^\#\# Accepted findings/,/^\#\# /p' AUDIT.md | \
	grep -oE '(GHSA(-[0-9a-z]{4}){3}|PYSEC-[0-9]{4}-[0-9]+|CVE-[0-9]{4}-[0-9]+)' | sort -u)

# Reads `npm audit --json` on stdin; ids of the accepted findings as arguments.
define NPM_AUDIT_CHECK
const accepted = new Set(process.argv.slice(1)); let raw = "";
process.stdin.on("data", (d) => { raw += d; }).on("end", () => {
  let report; try { report = JSON.parse(raw); } catch (e) { report = {}; }
  if (!report.vulnerabilities) {
    console.error("npm audit could not run: " + (report.message || (report.error && report.error.summary) || "no report"));
    process.exit(2);
  }
  let fresh = 0, seen = 0;
  for (const [name, v] of Object.entries(report.vulnerabilities))
    for (const via of v.via) {
      if (typeof via !== "object") continue;
      const id = String(via.url || via.source).split("/").pop(), known = accepted.has(id);
      seen += 1; fresh += known ? 0 : 1;
      console.log(`$${known ? "accepted" : "NEW     "}  $${via.severity.padEnd(8)} $${name} $${v.range}  $${id}  $${via.title}`);
    }
  console.log(`npm audit: $${seen} finding(s), $${fresh} not in AUDIT.md`);
  process.exit(fresh ? 1 : 0);
});
endef
export NPM_AUDIT_CHECK

$(AUDIT_STAMP): requirements-audit.lock
	@test -n "$(PY310)" || { echo "Python 3.10 is required (e.g. 'pyenv install 3.10.13')." >&2; exit 1; }
	@test -x $(AUDIT_VENV)/bin/python || $(PY310) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-audit.lock
	@rm -f $(AUDIT_VENV)/.installed-* && touch $@

audit: $(AUDIT_STAMP)
	@mkdir -p results; status=0; \
	echo "== pip-audit: requirements.lock"; \
	$(AUDIT_VENV)/bin/pip-audit -r requirements.lock --no-deps --disable-pip --progress-spinner off \
		$(foreach id,$(AUDIT_IDS),--ignore-vuln $(id)) 2>&1 | tee results/pip-audit.txt; \
	test "$${PIPESTATUS[0]}" = 0 || status=1; \
	skipped=$$(grep -c "could not be audited" results/pip-audit.txt); \
	if [ "$$skipped" != 0 ]; then status=1; \
		echo "pip-audit: $$skipped package(s) could NOT be looked up (is PyPI's JSON API reachable?): not audited" >&2; fi; \
	echo "== npm audit: $(WEB)/package-lock.json"; \
	command -v npm >/dev/null || { echo "npm is required for the widget's audit" >&2; exit 1; }; \
	(cd $(WEB) && npm audit --omit=dev --json 2>/dev/null) | node -e "$$NPM_AUDIT_CHECK" $(AUDIT_IDS) \
		|| status=1; \
	if [ $$status = 0 ]; then echo "audit: nothing new (accepted findings: AUDIT.md)"; \
	else echo "audit: FAILED - see above; accept a finding only by documenting it in AUDIT.md" >&2; fi; \
	exit $$status

clean:
	rm -rf models results .pytest_cache
