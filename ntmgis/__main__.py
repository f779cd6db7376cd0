"""``python -m ntmgis``."""

from ntmgis.cli import main

if __name__ == "__main__":
    main()
