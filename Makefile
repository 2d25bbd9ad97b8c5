.PHONY: run serve test test-fast bench hardening bench-load
run:   ## set up, index corpus/ if needed, start the app on http://localhost:8501
	scripts/run.sh
serve: ## set up, index corpus/ if needed, start the JSON API on http://127.0.0.1:8000 (needs ASSISTANT_API_KEYS)
	scripts/serve.sh
test:  ## set up and run the whole test suite
	scripts/test.sh
test-fast: ## the fast tier (1–3 min): no real model, no browser, no subprocess kills
	scripts/setup.sh test && .venv/bin/python -m pytest -q -m "not slow"
bench: ## print speed and memory figures
	scripts/setup.sh test && .venv/bin/python benchmarks/bench_index.py
hardening: ## issue #12's hardening tests: kills at every build stage, full disk, concurrency, personal data in logs
	scripts/test.sh -q -m hardening
bench-load: ## the service API under 1, 5, 10 and 20 simulated agents (locust; about 12 minutes)
	scripts/setup.sh test && .venv/bin/python benchmarks/bench_load.py
