"""The model kinds `build.py train` fits, and the factor rank each low-rank kind gets unless told:
what fits the byte budgets (RESULTS.md). Free of NumPy and Keras, so `train --help` stays quick
and the fitting code (`tied.TiedHyper`) reads the same number."""

MODELS = ("ease-lowrank", "dlae-lowrank", "dlae-tied", "mult-dae")
RANKS = {"ease-lowrank": 300, "dlae-lowrank": 880, "dlae-tied": 590}
