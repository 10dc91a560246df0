"""Run the geomap command from a checkout: ``python cli.py render x.csv``."""

from geomap.cli import main

if __name__ == "__main__":
    main()
