"""Offline training pipeline: ratings → catalog → the default model, a tied low-rank DLAE with
franchise pseudo-users and a sparse residual (`tied.py`; README, "Model quality"), or another
`--model` kind (`kinds.py`) → TF.js export, plus its evaluation against popularity and EASE."""
