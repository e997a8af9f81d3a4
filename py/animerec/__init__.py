"""animerec: the Python that runs both in training (CPython) and in the visitor's browser (Pyodide).

Training rows and a live visitor's profile go through the same parsing and encoding functions,
so the model in the browser sees exactly what it was trained on. Stdlib only: no numpy here.
"""

__version__ = "0.1.0"
