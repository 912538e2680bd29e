"""Repository-wide pytest set-up: nbval compares numbers to their printed precision
(tests/nbval_tolerance.py), so stored outputs hold on every CPU."""

from tests.nbval_tolerance import install

install()
