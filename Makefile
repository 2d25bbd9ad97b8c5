.PHONY: run test bench
run:   ## set up, index corpus/ if needed, start the app on http://localhost:8501
	scripts/run.sh
test:  ## set up and run the whole test suite
	scripts/test.sh
bench: ## print speed and memory figures
	scripts/setup.sh test && .venv/bin/python benchmarks/bench_index.py
