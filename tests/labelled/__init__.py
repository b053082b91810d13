"""The labelled test set (issue 5): realistic submissions of the 57 units, each with the
labels a clerk would give it (unit, category, status). ``cases`` holds the data,
``build`` writes it as real .eml/.docx/.doc files; ``tests/integration/test_labelled.py`` runs them
through the real pipeline and measures category accuracy and attribution."""
