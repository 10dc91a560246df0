"""``python -m geomap``: the ``geomap`` command (for a venv whose scripts folder is not on PATH)."""

from .cli import run

if __name__ == "__main__":
    run()
