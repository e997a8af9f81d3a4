"""Offline training pipeline: ratings → catalog → Mult-DAE → TF.js export, plus its evaluation."""
