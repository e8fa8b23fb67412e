"""The walker demonstration model as an extension: config section
``species: {walker: …}`` (:mod:`.config`), species and operations
(:mod:`.feature`), kernel topic ``walker`` (kernels/rules/walker.py)."""
