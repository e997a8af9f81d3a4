"""Build-time tools: environment set-up, site build, serving, tests, benchmark."""
