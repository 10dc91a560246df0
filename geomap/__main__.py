"""``python -m geomap``: the ``geomap`` command (for a venv whose scripts folder is not on PATH)."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="geomap")
