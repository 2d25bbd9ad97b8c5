.PHONY: run test test-fast bench
run:   ## set up, index corpus/ if needed, start the app on http://localhost:8501
	scripts/run.sh
test:  ## set up and run the whole test suite
	scripts/test.sh
test-fast: ## the fast tier (under 30 s): no real model, no browser, no subprocess kills
	scripts/setup.sh test && .venv/bin/python -m pytest -q -m "not slow"
bench: ## print speed and memory figures
	scripts/setup.sh test && .venv/bin/python benchmarks/bench_index.py
