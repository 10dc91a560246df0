"""Run the geomap command from a checkout: ``python cli.py render x.csv``."""

from geomap.cli import run

if __name__ == "__main__":
    run()
