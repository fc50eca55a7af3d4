# The benchmark is a script (python tests/benchmarks/bench_dashboard.py), not a test: it
# needs its own database and minutes of data generation. pytest never collects it.
collect_ignore_glob = ["*.py"]
